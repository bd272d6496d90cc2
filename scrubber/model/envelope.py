"""X12Envelope: where a claim sat in its X12 file (ISA / GS / ST), for anything that answers the file.

An acknowledgement (999, 277CA) names the acknowledged interchange, group and transaction by
their control numbers, and is addressed back to the file's sender; a writer that builds its
own envelope (the clean / held split) needs the same values. They are kept in this one small,
frozen type so every writer reads them the same way, and they travel in the JSON result as the
claim's optional ``envelope`` object, so a saved result can still be acknowledged.

Values hold no PHI (envelope ids, control numbers, the submitter and receiver of 1000A / 1000B).
``envelope_of`` builds one from a claim's ``RawClaim`` (the segment texts the reader keeps);
``st_segment`` is the file segment number of the transaction's ST, which turns a finding's file
segment number into its position in the transaction set (999 IK302).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True, slots=True)
class X12Envelope:
    interchange_control: Optional[str] = None  # ISA13
    sender_qualifier: Optional[str] = None  # ISA05
    sender_id: Optional[str] = None  # ISA06 (trailing blanks removed)
    receiver_qualifier: Optional[str] = None  # ISA07
    receiver_id: Optional[str] = None  # ISA08
    usage: Optional[str] = None  # ISA15: P production, T test
    functional_id: Optional[str] = None  # GS01 (HC for an 837)
    application_sender: Optional[str] = None  # GS02
    application_receiver: Optional[str] = None  # GS03
    group_control: Optional[str] = None  # GS06
    version: Optional[str] = None  # GS08, e.g. 005010X222A1
    transaction_type: Optional[str] = None  # ST01 (837)
    transaction_control: Optional[str] = None  # ST02
    implementation: Optional[str] = None  # ST03
    st_segment: Optional[int] = None  # 1-based file segment number of the ST
    submitter_name: Optional[str] = None  # 1000A NM103
    submitter_id: Optional[str] = None  # 1000A NM109
    receiver_name: Optional[str] = None  # 1000B NM103
    receiver_id_1000b: Optional[str] = None  # 1000B NM109
    originator_reference: Optional[str] = None  # BHT03 (the submitter's batch reference)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> Optional["X12Envelope"]:
        if not data:
            return None
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def transaction_key(self) -> tuple:
        """Identifies the acknowledged transaction set within one input file."""
        return (self.interchange_control, self.group_control, self.transaction_control, self.st_segment)


def _el(els: list[str], i: int) -> Optional[str]:
    if i < len(els):
        v = els[i].strip()
        return v or None
    return None


def envelope_of(raw, source, st_segment: Optional[int]) -> X12Envelope:
    """The envelope of a claim read from X12: ``raw`` is its RawClaim (or None), ``source`` its Source."""
    if raw is None:
        return X12Envelope(interchange_control=source.interchange, group_control=source.group,
                           transaction_control=source.transaction, version=source.version, st_segment=st_segment)
    sep = raw.element_sep
    isa = raw.isa.split(sep) if raw.isa else []
    gs = raw.gs.split(sep) if raw.gs else []
    st = raw.header[0].split(sep) if raw.header and raw.header[0].startswith("ST") else []
    names: dict[str, list[str]] = {}
    bht: list[str] = []
    for text in raw.header:
        els = text.split(sep)
        if els[0] == "NM1" and len(els) > 1 and els[1] in ("41", "40") and els[1] not in names:
            names[els[1]] = els
        elif els[0] == "BHT":
            bht = els
    sub, rec = names.get("41", []), names.get("40", [])
    return X12Envelope(
        interchange_control=_el(isa, 13) or source.interchange,
        sender_qualifier=_el(isa, 5), sender_id=_el(isa, 6),
        receiver_qualifier=_el(isa, 7), receiver_id=_el(isa, 8), usage=_el(isa, 15),
        functional_id=_el(gs, 1), application_sender=_el(gs, 2), application_receiver=_el(gs, 3),
        group_control=_el(gs, 6) or source.group, version=_el(gs, 8) or source.version,
        transaction_type=_el(st, 1), transaction_control=_el(st, 2) or source.transaction,
        implementation=_el(st, 3), st_segment=st_segment,
        submitter_name=_el(sub, 3), submitter_id=_el(sub, 9),
        receiver_name=_el(rec, 3), receiver_id_1000b=_el(rec, 9),
        originator_reference=_el(bht, 3),
    )


def st_segment_of(claim) -> Optional[int]:
    """The file segment number of the claim's ST, from what the reader recorded.

    The 837 guides put the BHT right after the ST, and the reader records BHT04's segment
    number; None when the transaction has no readable BHT (positions are then left out)."""
    raw = claim.raw
    if raw is None or len(raw.header) < 2 or not raw.header[1].startswith("BHT"):
        return None
    created = claim.locs.get("created") if claim.locs else None
    if created is None:
        return None
    seg = created[1] if isinstance(created, tuple) else getattr(created, "segment", None)
    return seg - 1 if seg else None


@dataclass(frozen=True, slots=True)
class AckLine:
    """One service line as a 277CA's 2220D names it (SVC, REF*FJ, DTP*472)."""

    number: int  # LX01
    qualifier: Optional[str]  # SV101-1 / SV202-1 (HC, ...)
    code: Optional[str]
    modifiers: tuple[str, ...] = ()
    charge: Optional[str] = None  # as a decimal string
    revenue_code: Optional[str] = None  # SV201 (837I)
    units: Optional[str] = None
    date_from: Optional[str] = None  # CCYYMMDD
    date_to: Optional[str] = None
    control: Optional[str] = None  # 2400 REF*6R line item control number


@dataclass(frozen=True, slots=True)
class ClaimAckDetail:
    """What a 277CA says about a claim beyond its findings: provider, patient, dates, lines.

    Holds PHI (patient name and member id): kept in memory with the ClaimResult, never written
    to the JSON result; ``claimscrub ack`` rebuilds it by re-reading the acknowledged 837."""

    billing_entity_type: Optional[str] = None  # NM102
    billing_name: Optional[str] = None
    billing_first_name: Optional[str] = None
    billing_npi: Optional[str] = None
    billing_tax_id: Optional[str] = None
    patient_last_name: Optional[str] = None
    patient_first_name: Optional[str] = None
    member_id: Optional[str] = None
    service_from: Optional[str] = None  # CCYYMMDD
    service_to: Optional[str] = None
    clearinghouse_ref: Optional[str] = None  # 2300 REF*D9
    bill_type: Optional[str] = None  # 837I CLM05-1 + CLM05-3
    lines: tuple[AckLine, ...] = ()


def _d8(value) -> Optional[str]:
    return value.strftime("%Y%m%d") if value is not None else None


def _num(value) -> Optional[str]:
    return None if value is None else format(value, "f")


def detail_of(claim) -> ClaimAckDetail:
    """The 277CA detail of a built Claim (the reader's model plus the claim's own raw segments)."""
    billing = claim.provider("billing")
    person = claim.patient or claim.subscriber
    d9 = None
    raw = claim.raw
    refs: dict[int, str] = {}
    if raw is not None:
        sep = raw.element_sep
        line_no = 0
        for text in raw.claim:
            if text.startswith("LX" + sep):
                line_no += 1
            elif text.startswith("REF" + sep):
                els = text.split(sep)
                if len(els) > 2 and els[1] == "D9" and line_no == 0 and d9 is None:
                    d9 = els[2].strip() or None
                elif len(els) > 2 and els[1] == "6R" and line_no:
                    refs.setdefault(line_no, els[2].strip())
    lines = []
    for i, ln in enumerate(claim.lines, start=1):
        lines.append(AckLine(
            number=ln.number, qualifier=ln.code_qualifier, code=ln.code, modifiers=tuple(ln.modifiers),
            charge=_num(ln.charge), revenue_code=ln.revenue_code, units=_num(ln.units),
            date_from=_d8(ln.date_from), date_to=_d8(ln.date_to), control=refs.get(i) or None))
    bill_type = None
    if claim.kind == "837I" and claim.place_of_service and claim.frequency:
        bill_type = f"{claim.place_of_service}{claim.frequency}"
    return ClaimAckDetail(
        billing_entity_type=billing.entity_type if billing else None,
        billing_name=billing.last_or_org_name if billing else None,
        billing_first_name=billing.first_name if billing else None,
        billing_npi=billing.npi if billing else None,
        billing_tax_id=billing.tax_id if billing else None,
        patient_last_name=person.last_name if person else None,
        patient_first_name=person.first_name if person else None,
        member_id=claim.subscriber.member_id if claim.subscriber else None,
        service_from=_d8(claim.statement_from or claim.service_from),
        service_to=_d8(claim.statement_to or claim.service_to),
        clearinghouse_ref=d9, bill_type=bill_type, lines=tuple(lines),
    )
