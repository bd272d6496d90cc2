"""The claim model: frozen, typed values that every stage shares.

Readers build these; the engine reads them; reports render them. Nothing here
knows about X12 or rules. Every value that came from an input remembers where:
each dataclass carries ``locs``, a mapping from its field name to a ``Loc``
(an X12 path such as ``2400[2]/SV101-2`` and the 1-based segment number in
its file), so a finding on ``line.code`` can point at the element that holds it.
Values are plain (str, Decimal, date) so rules and reports never unwrap them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Mapping, Optional

from scrubber.model.result import (  # noqa: F401  (re-exported)
    CATEGORIES,
    SEVERITIES,
    ClaimResult,
    Finding,
    RunError,
    RunInfo,
    RunResult,
)

EMPTY_LOCS: Mapping[str, "Loc"] = MappingProxyType({})


def _no_locs() -> Mapping[str, "Loc"]:
    return EMPTY_LOCS


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a value came from: an X12 path (or JSON pointer) and the 1-based segment number."""

    path: str
    segment: Optional[int] = None

    def to_dict(self) -> dict:
        return {"path": self.path, "segment": self.segment}


@dataclass(frozen=True, slots=True)
class Source:
    """The input a claim came from: file path and the segment number of its CLM (or JSON index)."""

    path: str
    segment: Optional[int] = None
    interchange: Optional[str] = None  # ISA13
    group: Optional[str] = None  # GS06
    transaction: Optional[str] = None  # ST02
    version: Optional[str] = None  # GS08 / ST03, e.g. 005010X222A1


@dataclass(frozen=True, slots=True)
class Address:
    line1: Optional[str] = None
    line2: Optional[str] = None
    city: Optional[str] = None
    state: Optional[str] = None
    postal_code: Optional[str] = None
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)


# Provider roles, as the 837 names them (loop and NM101 entity code).
PROVIDER_ROLES = (
    "billing",  # 2010AA NM1*85
    "pay_to",  # 2010AB NM1*87
    "rendering",  # 2310B / 2420A NM1*82
    "referring",  # 2310A / 2420F NM1*DN (and P3 primary care)
    "service_facility",  # 2310C (837P) / 2310E (837I) NM1*77
    "supervising",  # 2310D / 2420D NM1*DQ
    "attending",  # 837I 2310A NM1*71
    "operating",  # 837I 2310B NM1*72
    "other_operating",  # 837I 2310C NM1*ZZ
    "purchased_service",  # 2420B NM1*QB
    "ordering",  # 2420E NM1*DK
    "ambulance_pickup",  # 2310E NM1*PW
    "ambulance_dropoff",  # 2310F NM1*45
)


@dataclass(frozen=True, slots=True)
class Provider:
    role: str
    entity_type: Optional[str] = None  # NM102: 1 person, 2 organisation
    last_or_org_name: Optional[str] = None
    first_name: Optional[str] = None
    npi: Optional[str] = None  # NM109 when NM108 = XX
    taxonomy: Optional[str] = None  # PRV03
    tax_id: Optional[str] = None  # REF*EI / REF*SY
    address: Optional[Address] = None
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_or_org_name) if p)


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber or a patient (2010BA / 2010CA)."""

    last_name: Optional[str] = None
    first_name: Optional[str] = None
    middle_name: Optional[str] = None
    member_id: Optional[str] = None
    birth_date: Optional[date] = None
    sex: Optional[str] = None  # F / M / U
    relationship: Optional[str] = None  # SBR02 / PAT01 individual relationship code; 18 = self
    address: Optional[Address] = None
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Payer:
    name: Optional[str] = None
    payer_id: Optional[str] = None  # 2010BB NM109
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """Loop 2320 / 2330x: another payer of this claim (coordination of benefits)."""

    responsibility: Optional[str] = None  # SBR01 P/S/T/A..H/U
    relationship: Optional[str] = None  # SBR02
    claim_filing_indicator: Optional[str] = None  # SBR09
    payer: Optional[Payer] = None  # 2330B
    subscriber: Optional[Person] = None  # 2330A
    paid_amount: Optional[Decimal] = None  # AMT*D
    adjudication_date: Optional[date] = None  # DTP*573
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    position: int  # 1-based position among the claim's diagnoses (what SV107 points at)
    code: str  # as sent, without the dot (X12 convention): E119
    qualifier: str  # ABK ABF ABJ ABN APR (ICD-10-CM), BK BF BJ BN PR (ICD-9-CM)
    poa: Optional[str] = None  # 837I present on admission: Y N U W 1
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)

    @property
    def is_icd9(self) -> bool:
        return not self.qualifier.startswith("A")

    @property
    def is_principal(self) -> bool:
        return self.qualifier in ("ABK", "BK")


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """An 837I condition, occurrence, occurrence-span or value code (HI with BG/BH/BI/BE)."""

    qualifier: str
    code: str
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    amount: Optional[Decimal] = None
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ServiceLine:
    number: int  # LX01
    code: Optional[str] = None  # SV101-2 / SV202-2
    code_qualifier: Optional[str] = None  # HC ER WK IV N4 ...
    modifiers: tuple[str, ...] = ()
    charge: Optional[Decimal] = None
    units: Optional[Decimal] = None
    unit_basis: Optional[str] = None  # UN MJ DA
    place_of_service: Optional[str] = None  # SV105
    dx_pointers: tuple[int, ...] = ()  # SV107, 1-based into Claim.diagnoses
    date_from: Optional[date] = None  # DTP*472
    date_to: Optional[date] = None
    revenue_code: Optional[str] = None  # SV201 (837I)
    ndc: Optional[str] = None  # LIN03
    ndc_quantity: Optional[Decimal] = None  # CTP04
    ndc_unit: Optional[str] = None  # CTP05-1
    providers: tuple[Provider, ...] = ()
    prior_authorization: Optional[str] = None  # 2400 REF*G1 (line-level prior authorization)
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)

    def provider(self, role: str) -> Optional[Provider]:
        for p in self.providers:
            if p.role == role:
                return p
        return None


@dataclass(frozen=True, slots=True)
class RawClaim:
    """The claim's own X12 segments, byte for byte, with its parent HL loops, for the clean/held split.

    Each tuple holds segment texts without terminator. ``header`` is ST..the segment before the
    first HL (BHT, 1000A, 1000B); ``billing``, ``subscriber`` and ``patient`` are the HL loops
    this claim sits under (HL segment included); ``claim`` is CLM through the segment before the
    next CLM / HL / SE.
    """

    element_sep: str
    component_sep: str
    repetition_sep: Optional[str]
    segment_term: str
    isa: str
    gs: str
    header: tuple[str, ...]
    billing: tuple[str, ...]
    subscriber: tuple[str, ...]
    patient: tuple[str, ...]
    claim: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: str  # CLM01
    kind: str  # 837P, 837I
    source: Source
    total_charge: Optional[Decimal] = None  # CLM02
    place_of_service: Optional[str] = None  # CLM05-1 (837P) or facility type code (837I)
    facility_code_qualifier: Optional[str] = None  # CLM05-2: B (POS) or A (UB bill type)
    frequency: Optional[str] = None  # CLM05-3
    created: Optional[date] = None  # BHT04
    service_from: Optional[date] = None  # earliest line date (or claim DTP*472 / 434 start)
    service_to: Optional[date] = None
    statement_from: Optional[date] = None  # DTP*434 (837I)
    statement_to: Optional[date] = None
    admission_date: Optional[date] = None  # DTP*435
    discharge_date: Optional[date] = None  # DTP*096
    onset_date: Optional[date] = None  # DTP*431
    providers: tuple[Provider, ...] = ()  # claim-level: billing, pay_to, rendering, referring, ...
    subscriber: Optional[Person] = None
    patient: Optional[Person] = None  # the subscriber when 2000C is absent (relationship 18)
    payer: Optional[Payer] = None
    payer_responsibility: Optional[str] = None  # SBR01
    claim_filing_indicator: Optional[str] = None  # SBR09
    other_payers: tuple[OtherPayer, ...] = ()
    prior_authorization: Optional[str] = None  # REF*G1
    referral_number: Optional[str] = None  # REF*9F
    payer_claim_control_number: Optional[str] = None  # REF*F8
    diagnoses: tuple[Diagnosis, ...] = ()
    condition_codes: tuple[CodeEntry, ...] = ()  # BG
    occurrence_codes: tuple[CodeEntry, ...] = ()  # BH / BI
    value_codes: tuple[CodeEntry, ...] = ()  # BE
    lines: tuple[ServiceLine, ...] = ()
    raw: Optional[RawClaim] = field(default=None, compare=False, repr=False)
    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False)
    # 837I institutional details (added by the reader; None / () on 837P claims).
    procedure_codes: tuple[CodeEntry, ...] = ()  # HI BBR principal / BBQ other ICD-10-PCS (BR / BQ ICD-9-CM), date in from
    admission_type: Optional[str] = None  # CL101
    admission_source: Optional[str] = None  # CL102
    patient_status: Optional[str] = None  # CL103 (discharge status)

    def provider(self, role: str) -> Optional[Provider]:
        for p in self.providers:
            if p.role == role:
                return p
        return None


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """What a reader yields per claim: the claim, or why it could not be built.

    ``claim`` is None when the claim is unreadable; ``error`` then says why and where.
    ``findings`` are the reader's own structure findings for this claim.
    """

    claim_id: str
    source: Source
    claim: Optional[Claim] = None
    findings: tuple[Finding, ...] = ()
    error: Optional[RunError] = None

    @property
    def readable(self) -> bool:
        return self.claim is not None


@dataclass(frozen=True, slots=True)
class CoverageSpan:
    """One span of coverage from an eligibility file (271, 834 or CSV)."""

    member_id: str
    payer_id: Optional[str] = None
    plan: Optional[str] = None
    start: Optional[date] = None
    end: Optional[date] = None  # None = open
    active: bool = True
    last_name: Optional[str] = None
    first_name: Optional[str] = None
    birth_date: Optional[date] = None
    relationship: Optional[str] = None
    responsibility: Optional[str] = None  # P/S/T when the file says who pays first
    source: Optional[Loc] = None  # file:line or X12 path
    source_file: Optional[str] = None


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What the engine needs to know about a claim beyond the claim itself.

    Built per claim by the pipeline from the payer profile that matches it and the
    eligibility files given; the engine turns ``params`` and ``coverage`` into fact
    fields and applies ``disabled_*`` and ``severity_overrides`` to what fires.
    """

    profile_id: str = "default"
    params: Mapping[str, object] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    disabled_packs: frozenset[str] = frozenset()
    severity_overrides: Mapping[str, str] = field(default_factory=dict)
    coverage: Optional[Mapping[str, object]] = None  # fields of the `coverage` fact; None = no eligibility file
