"""What an 835 remittance says about one claim: frozen values the denial correlation reads.

Kept beside the 835 reader rather than in ``scrubber.model`` because only the denial
correlation uses them; they know nothing of rules. Amounts are Decimal (cents exact), dates
``datetime.date``; every value that can point back into the file carries the 1-based segment
number of the segment it came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Optional

# CLP02 claim status codes of 005010X221A1 that the correlation treats specially.
STATUS_DENIED = "4"
STATUS_REVERSAL = "22"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group code (CO PR OA PI CR), CARC, amount, optional quantity."""

    group: str
    carc: str
    amount: Decimal
    quantity: Optional[Decimal] = None
    segment: Optional[int] = None


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """Loop 2110: one SVC with its dates, CAS, REF*6R line item control number and LQ*HE remarks."""

    code: Optional[str]  # SVC01-2 (or SVC06-2, the procedure as submitted, when given)
    qualifier: Optional[str]  # SVC01-1: HC, NU, ...
    modifiers: tuple[str, ...]
    charge: Optional[Decimal]  # SVC02
    paid: Optional[Decimal]  # SVC03
    revenue_code: Optional[str] = None  # SVC04 (institutional) or SVC01-2 when SVC01-1 = NU
    units: Optional[Decimal] = None  # SVC05
    date_from: Optional[date] = None  # DTM*472 / 150
    date_to: Optional[date] = None  # DTM*151
    control_number: Optional[str] = None  # REF*6R: the 837's 2400 REF*6R
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # LQ*HE RARCs
    segment: Optional[int] = None


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100: one CLP with its claim-level CAS, MIA/MOA remarks, dates and service lines.

    ``error`` is set when the CLP itself could not be read (a bad amount, no claim id): the
    payment is still yielded so that every CLP in a file is accounted for.
    """

    claim_id: str  # CLP01: the 837's CLM01
    status: str  # CLP02
    charge: Optional[Decimal]  # CLP03
    paid: Optional[Decimal]  # CLP04
    patient_responsibility: Optional[Decimal]  # CLP05
    filing_indicator: Optional[str] = None  # CLP06
    payer_control_number: Optional[str] = None  # CLP07
    facility_code: Optional[str] = None  # CLP08
    frequency: Optional[str] = None  # CLP09
    adjustments: tuple[Adjustment, ...] = ()
    services: tuple[ServicePayment, ...] = ()
    remarks: tuple[str, ...] = ()  # MIA / MOA remark codes (RARCs)
    dates: tuple[tuple[str, date], ...] = ()  # DTM qualifier, date: 232/233 statement, 050 received, 036 expiry
    rendering_npi: Optional[str] = None  # NM1*82 NM109 with NM108 XX
    payer_name: Optional[str] = None  # 1000A N1*PR N102
    payer_id: Optional[str] = None  # 1000A REF*2U, else N1*PR N104, else TRN03
    payee_name: Optional[str] = None  # 1000B N1*PE N102
    payee_id: Optional[str] = None  # N1*PE N104 (an NPI when N103 = XX)
    trace_number: Optional[str] = None  # TRN02 (check or EFT number)
    payment_date: Optional[date] = None  # BPR16
    path: str = ""
    segment: Optional[int] = None  # the CLP's segment number
    error: Optional[str] = None
    problems: tuple[str, ...] = field(default=(), compare=False)  # segments of this claim skipped, with why

    @property
    def readable(self) -> bool:
        return self.error is None

    def date_of_service(self) -> Optional[date]:
        """The earliest service date, else the statement start (DTM*232)."""
        found = [s.date_from for s in self.services if s.date_from]
        if found:
            return min(found)
        for q, d in self.dates:
            if q == "232":
                return d
        return None
