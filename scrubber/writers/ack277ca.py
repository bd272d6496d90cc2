"""The 277CA Health Care Claim Acknowledgment (005010X214) of a scrub, from its RunResult.

One 277CA interchange answers each acknowledged 837 interchange, one 277 transaction set each
acknowledged 837 transaction set: HL 20 information source (the 837's receiver, 1000B), HL 21
information receiver (its submitter, 1000A) with the batch totals, HL 19 per billing provider,
HL PT per claim with one 2200D (TRN02 = CLM01) for every claim read, unreadable ones included.
A claim is rejected when it is unreadable or carries a finding at or above ``fail_on`` (the
same split as ``--clean-out`` / ``--held-out``), otherwise accepted (A2:20). Each finding that
rejects it is one STC with an A-category code (X12 RFI 1942: A3 unprocessable, A6 missing, A7
invalid information), status code 21 and the rule id and message as free text (STC12); a
service line's findings reject that line in a 2220D (SVC, STC, REF*FJ, DTP*472).

Unreadable claims carry no patient, provider or dates the reader could trust: their 2100D and
2100C say ``UNREADABLE`` / ``UNKNOWN`` and their DTP*472 holds the acknowledgement date, so the
segment the guide requires is present and the sender still gets the claim id back (docs/acks.md).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Iterable, Optional, TextIO

from scrubber.model.envelope import ClaimAckDetail
from scrubber.model.result import SEVERITY_RANK
from scrubber.writers import ack_codes as codes
from scrubber.writers.ack999 import parse_location
from scrubber.writers.ack_x12 import COMPONENT, AckStamp, Interchange, SegmentCounter, Transaction, clean, group_claims, wrap

VERSION = "005010X214"
TEXT_LIMIT = 264  # STC12 maximum length
MAX_STC = 10  # STC repeats per claim: the first findings, most severe first


def rejected(claim, fail_on: str) -> bool:
    """Rejected in the 277CA: unreadable, or a finding at or above ``fail_on`` (never: none)."""
    if claim.status == "unreadable":
        return True
    if fail_on == "never":
        return False
    return claim.worst_rank() >= SEVERITY_RANK[fail_on]


def _money(value) -> str:
    if value is None:
        return "0"
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return "0"
    text = format(d, "f")
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def _dates(d_from: Optional[str], d_to: Optional[str]) -> tuple[str, str]:
    if d_from and d_to and d_to != d_from:
        return "RD8", f"{d_from}-{d_to}"
    return "D8", d_from or d_to


def _category(f) -> str:
    return codes.CATEGORY_MISSING if f.rule_id in codes.MISSING_RULES else codes.CATEGORY_INVALID


def _entity(f) -> Optional[str]:
    loc = parse_location(f.location_path)
    return codes.ENTITY_BY_LOOP.get(loc.loop or "")


def _stc01(category: str, status: str, entity: Optional[str] = None) -> str:
    return COMPONENT.join(x for x in (category, status, entity) if x)


class _Writer:
    def __init__(self, stamp: AckStamp, fail_on: str):
        self.stamp = stamp
        self.fail_on = fail_on
        self.threshold = SEVERITY_RANK.get(fail_on, 99)
        self.claims = 0

    def _at_threshold(self, f) -> bool:
        return self.fail_on != "never" and SEVERITY_RANK.get(f.severity, 0) >= self.threshold

    def transaction(self, seg: SegmentCounter, ich: Interchange, tx: Transaction) -> None:
        env = tx.envelope
        ref = clean(f"{env.interchange_control or ''}{env.transaction_control or ''}", 50) or "0"
        d8 = self.stamp.d8
        seg.add("BHT", "0085", "08", ref, d8, self.stamp.hhmm, "TH")
        seg.add("HL", 1, "", 20, 1)
        seg.add("NM1", "AY", 2, clean(env.receiver_name, 60) or clean(env.receiver_id, 60) or "UNKNOWN",
                "", "", "", "", 46, clean(env.receiver_id_1000b or env.application_receiver or env.receiver_id, 80) or "UNKNOWN")
        seg.add("TRN", 1, ref)
        seg.add("DTP", "050", "D8", d8)
        seg.add("DTP", "009", "D8", d8)
        seg.add("HL", 2, 1, 21, 1)
        seg.add("NM1", 41, 2, clean(env.submitter_name, 60) or clean(env.sender_id, 60) or "UNKNOWN",
                "", "", "", "", 46, clean(env.submitter_id or env.application_sender or env.sender_id, 80) or "UNKNOWN")
        seg.add("TRN", 2, clean(env.originator_reference or env.transaction_control, 50) or "0")
        self._totals(seg, tx.claims, receiver=True)
        providers: dict[tuple, list] = {}
        for c in tx.claims:
            d: ClaimAckDetail = c.ack_detail or ClaimAckDetail()
            providers.setdefault((d.billing_npi, d.billing_tax_id, d.billing_name), []).append(c)
        hl = 2
        for claims in providers.values():
            hl += 1
            provider_hl = hl
            d = claims[0].ack_detail or ClaimAckDetail()
            ident, qual = (d.billing_npi, "XX") if d.billing_npi else ((d.billing_tax_id, "FI") if d.billing_tax_id else ("UNKNOWN", "SV"))
            seg.add("HL", provider_hl, 2, 19, 1)
            seg.add("NM1", 85, d.billing_entity_type if d.billing_entity_type in ("1", "2") else 2,
                    clean(d.billing_name, 60) or "UNKNOWN", clean(d.billing_first_name, 35) if d.billing_entity_type == "1" else "",
                    "", "", "", qual, clean(ident, 80))
            seg.add("TRN", 1, clean(ident, 50))
            self._totals(seg, claims, receiver=False)
            for c in claims:
                hl += 1
                self.claim(seg, c, hl, provider_hl)

    def _totals(self, seg: SegmentCounter, claims: list, receiver: bool) -> None:
        total = sum((Decimal(str(c.total_charge)) for c in claims if c.total_charge is not None), Decimal(0))
        bad = [c for c in claims if rejected(c, self.fail_on)]
        bad_amt = sum((Decimal(str(c.total_charge)) for c in bad if c.total_charge is not None), Decimal(0))
        good = len(claims) - len(bad)
        if receiver:
            seg.add("STC", _stc01(codes.CATEGORY_RECEIVED, codes.STATUS_RECEIVED), self.stamp.d8, codes.ACTION_ACCEPT, _money(total))
        else:
            seg.add("STC", _stc01(codes.CATEGORY_RECEIVED, codes.STATUS_RECEIVED, "85"), "", codes.ACTION_ACCEPT, _money(total))
        if good:
            seg.add("QTY", "90" if receiver else "QA", good)
        if bad:
            seg.add("QTY", "AA" if receiver else "QC", len(bad))
        if good:
            seg.add("AMT", "YU", _money(total - bad_amt))
        if bad:
            seg.add("AMT", "YY", _money(bad_amt))

    def claim(self, seg: SegmentCounter, c, hl: int, parent: int) -> None:
        self.claims += 1
        d: ClaimAckDetail = c.ack_detail or ClaimAckDetail()
        unreadable = c.status == "unreadable"
        seg.add("HL", hl, parent, "PT")
        seg.add("NM1", "QC", 1, clean(d.patient_last_name, 60) or ("UNREADABLE" if unreadable else "UNKNOWN"),
                clean(d.patient_first_name, 35), "", "", "", "MI", clean(d.member_id, 80) or "UNKNOWN")
        seg.add("TRN", 2, clean(c.claim_id, 50) or "UNKNOWN")
        charge = _money(c.total_charge)
        d8 = self.stamp.d8
        if not rejected(c, self.fail_on):
            notes = [f"{f.rule_id}" for f in c.findings]
            text = ("accepted with: " + ", ".join(dict.fromkeys(notes))) if notes else ""
            seg.add("STC", _stc01(codes.CATEGORY_ACCEPTED, codes.STATUS_ACCEPTED), d8, codes.ACTION_ACCEPT, charge,
                    "", "", "", "", "", "", "", clean(text, TEXT_LIMIT))
        elif unreadable:
            seg.add("STC", _stc01(codes.CATEGORY_UNPROCESSABLE, codes.STATUS_MISSING_OR_INVALID), d8, codes.ACTION_REJECT,
                    charge, "", "", "", "", "", "", "", clean(f"claim could not be read - {c.error or ''}", TEXT_LIMIT))
        else:
            claim_level = [f for f in c.findings if f.line is None and self._at_threshold(f)]
            line_level = [f for f in c.findings if f.line is not None and self._at_threshold(f)]
            for f in claim_level[:MAX_STC]:
                seg.add("STC", _stc01(_category(f), codes.STATUS_MISSING_OR_INVALID, _entity(f)), d8, codes.ACTION_REJECT,
                        charge, "", "", "", "", "", "", "", clean(f"{f.rule_id} - {f.message}", TEXT_LIMIT))
            if not claim_level:
                lines = ", ".join(dict.fromkeys(f"line {f.line} {f.rule_id}" for f in line_level))
                seg.add("STC", _stc01(_category(line_level[0]) if line_level else codes.CATEGORY_INVALID,
                                      codes.STATUS_MISSING_OR_INVALID), d8, codes.ACTION_REJECT, charge,
                        "", "", "", "", "", "", "", clean(f"rejected for service line findings - {lines}", TEXT_LIMIT))
        if d.clearinghouse_ref:
            seg.add("REF", "D9", clean(d.clearinghouse_ref, 50))
        if d.bill_type:
            seg.add("REF", "BLT", clean(d.bill_type, 50))
        qual, period = _dates(d.service_from, d.service_to)
        seg.add("DTP", "472", qual, period or d8)
        if rejected(c, self.fail_on) and not unreadable:
            self.lines(seg, c, d)

    def lines(self, seg: SegmentCounter, c, d: ClaimAckDetail) -> None:
        by_line: dict[int, list] = {}
        for f in c.findings:
            if f.line is not None and self._at_threshold(f):
                by_line.setdefault(f.line, []).append(f)
        known = {ln.number: ln for ln in d.lines}
        for number, found in sorted(by_line.items()):
            ln = known.get(number)
            if ln is None:
                continue
            if ln.code:
                svc01 = COMPONENT.join([clean(ln.qualifier) or "HC", clean(ln.code), *[clean(m) for m in ln.modifiers[:4]]])
                revenue = clean(ln.revenue_code)
            elif ln.revenue_code:
                svc01, revenue = f"NU{COMPONENT}{clean(ln.revenue_code)}", ""
            else:
                continue
            seg.add("SVC", svc01, _money(ln.charge), "", revenue, "", "", _money(ln.units) if ln.units else "")
            f = found[0]
            seg.add("STC", _stc01(_category(f), codes.STATUS_MISSING_OR_INVALID, _entity(f)), self.stamp.d8, codes.ACTION_REJECT)
            if ln.control:
                seg.add("REF", "FJ", clean(ln.control, 50))
            if ln.date_from or ln.date_to:
                qual, period = _dates(ln.date_from, ln.date_to)
                seg.add("DTP", "472", qual, period)


def write_277ca(claims: Iterable, errors: Iterable, out: TextIO, fail_on: str = "error",
                stamp: Optional[AckStamp] = None) -> dict:
    """Write the 277CA of ``claims`` (ClaimResults in file order) to ``out``; returns counts."""
    stamp = stamp or AckStamp()
    interchanges, other = group_claims(claims, errors)
    writer = _Writer(stamp, fail_on)

    def sets(ich: Interchange, st_control):
        for grp in ich.groups:
            for tx in grp.transactions:
                control = st_control()
                seg = SegmentCounter()
                seg.add("ST", "277", control, VERSION)
                writer.transaction(seg, ich, tx)
                yield from seg.close(control)

    for text in wrap(stamp, interchanges, "HN", VERSION, sets):
        out.write(text + "\n")
    return {"interchanges": len(interchanges), "claims": writer.claims, "not_x12": len(other)}
