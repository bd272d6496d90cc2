"""One claim's segments (CLM through the segment before the next CLM / HL / SE) -> Claim.

``build_claim`` reads the CLM, hands the segments after it to ``claim_walk.walk_claim`` (which
sorts them into the 2300 loop and its sub-loops, with the structure findings of their order),
and builds the Claim from what the walk collected: the claim's dates and references, its
service lines and other payers, the claim-level required-loop checks, and the parties from
the HL loops above it (``loops.py``).
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import Claim
from scrubber.readers.x12 import elements as el
from scrubber.readers.x12 import layout
from scrubber.readers.x12.claim_parts import LineSegments, build_line, build_other
from scrubber.readers.x12.claim_walk import CLAIM_DATES, ClaimWalk, walk_claim
from scrubber.readers.x12.fast import new_claim, new_raw, new_source
from scrubber.readers.x12.loops import Billing, Patient, Subscriber
from scrubber.readers.x12.names import provider
from scrubber.readers.x12.values import Collector, element, lazy_locs, parse_amount

_PAD = [""] * 24
_REQ = layout.REQUIRED
_PRINCIPAL_QUALIFIERS = layout.PRINCIPAL_QUALIFIERS

# Segment positions (elements.py): C constants when compiled.
SEG_NO, SEG_TEXT, SEG_ELEMENTS, SEGMENT_ID = el.SEG_NO, el.SEG_TEXT, el.SEG_ELEMENTS, el.SEGMENT_ID
CLM01, CLM02, CLM05 = el.CLM01, el.CLM02, el.CLM05
CLM05_1, CLM05_2, CLM05_3 = el.CLM05_1, el.CLM05_2, el.CLM05_3
DTP02, DTP03, REF02 = el.DTP02, el.DTP03, el.REF02


class Envelope:
    """What the transaction knows that every claim in it shares."""

    __slots__ = ("path", "kind", "strict", "version", "interchange", "group", "transaction", "created",
                 "created_loc", "delimiters", "isa", "gs", "header")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def guess_kind(segs: list[tuple]) -> str:
    """837I or 837P from the claim's own segments, when the envelope does not say (SV2 / CL1 are institutional)."""
    for seg in segs:
        sid = seg[SEG_ELEMENTS][SEGMENT_ID]
        if sid in ("SV2", "CL1"):
            return "837I"
        if sid == "SV1":
            return "837P"
    return "837P"


def build_claim(segs: list[tuple], env: Envelope, billing: Optional[Billing], sub: Optional[Subscriber],
                pat: Optional[Patient]) -> tuple[Claim, list]:
    """The Claim of ``segs`` (first is CLM) and the structure findings of its own segments."""
    kind = env.kind or guess_kind(segs)
    strict = env.strict
    comp = env.delimiters.component
    col = Collector()
    clm_no, _, clm = segs[0]
    locs: dict = {"claim_id": ("2300/CLM01", clm_no)}
    total, pos, fq, freq = _read_clm(clm, clm_no, strict, comp, col, locs)
    w = walk_claim(segs, kind, strict, comp, col, locs)
    fields = w.fields
    _claim_dates(w, col, fields, locs)
    lines = w.lines
    service_lines = tuple([build_line(ln, kind, comp, col, strict) for ln in lines])
    col.line = None
    service_from, service_to = _service_dates(lines, service_lines, fields, locs)
    if strict:
        _required_loops(w, col, clm_no)
    providers, subscriber, patient = _parties(billing, sub, pat, w.claim_names)
    if sub is not None:
        locs.update(sub.locs)
    if env.created is not None:
        locs["created"] = env.created_loc
    raw = new_raw(
        element_sep=env.delimiters.element,
        component_sep=comp,
        repetition_sep=env.delimiters.repetition,
        segment_term=env.delimiters.terminator,
        isa=env.isa or "",
        gs=env.gs or "",
        header=env.header,
        billing=billing.raw if billing is not None else (),
        subscriber=sub.raw if sub is not None else (),
        patient=pat.raw if pat is not None else (),
        claim=tuple([s[SEG_TEXT] for s in segs]),
    )
    others = w.others
    conditions, occurrences, values, procedures = w.conditions, w.occurrences, w.values, w.procedures
    claim = new_claim(
        claim_id=clm[CLM01],
        kind=kind,
        source=new_source(path=env.path, segment=clm_no, interchange=env.interchange, group=env.group,
                          transaction=env.transaction, version=env.version),
        total_charge=total,
        place_of_service=pos,
        facility_code_qualifier=fq,
        frequency=freq,
        created=env.created,
        service_from=service_from,
        service_to=service_to,
        statement_from=fields.get("statement_from"),
        statement_to=fields.get("statement_to"),
        admission_date=fields.get("admission_date"),
        discharge_date=fields.get("discharge_date"),
        onset_date=fields.get("onset_date"),
        providers=providers,
        subscriber=subscriber,
        patient=patient,
        payer=sub.payer if sub is not None else None,
        payer_responsibility=sub.responsibility if sub is not None else None,
        claim_filing_indicator=sub.filing_indicator if sub is not None else None,
        other_payers=tuple([build_other(op, col) for op in others]) if others else (),
        prior_authorization=fields.get("prior_authorization"),
        referral_number=fields.get("referral_number"),
        payer_claim_control_number=fields.get("payer_claim_control_number"),
        diagnoses=tuple(w.diagnoses),
        condition_codes=tuple(conditions) if conditions else (),
        occurrence_codes=tuple(occurrences) if occurrences else (),
        value_codes=tuple(values) if values else (),
        lines=service_lines,
        raw=raw,
        locs=lazy_locs(locs),
        procedure_codes=tuple(procedures) if procedures else (),
        admission_type=fields.get("admission_type"),
        admission_source=fields.get("admission_source"),
        patient_status=fields.get("patient_status"),
    )
    return claim, col.findings


def _read_clm(clm: list, clm_no: int, strict: bool, comp: str, col: Collector, locs: dict) -> tuple:
    """CLM: (total charge, place of service, facility code qualifier, frequency), located in ``locs``."""
    e = clm if len(clm) > 9 else clm + _PAD  # reads e[1..9]; pad (a copy) only a short CLM
    if strict:
        for i in _REQ["CLM"]:
            if not e[i]:
                col.required(clm, (i,), "2300", clm_no)
    total = None
    if e[CLM02]:
        total = parse_amount(e[CLM02])
        if total is None:
            col.amount(e[CLM02], "2300/CLM02", clm_no)
        else:
            locs["total_charge"] = ("2300/CLM02", clm_no)
    pos = fq = freq = None
    clm05 = e[CLM05] or None
    if clm05 is not None:
        parts = clm05.split(comp)
        pos = parts[CLM05_1] or None
        fq = parts[CLM05_2] if len(parts) > CLM05_2 and parts[CLM05_2] else None
        freq = parts[CLM05_3] if len(parts) > CLM05_3 and parts[CLM05_3] else None
        locs["place_of_service"] = ("2300/CLM05-1", clm_no)
        if fq is not None:
            locs["facility_code_qualifier"] = ("2300/CLM05-2", clm_no)
        if freq is not None:
            locs["frequency"] = ("2300/CLM05-3", clm_no)
    return total, pos, fq, freq


def _claim_dates(w: ClaimWalk, col: Collector, fields: dict, locs: dict) -> None:
    """The 2300 DTP dates and REF numbers the walk kept, into ``fields`` (the 2300 service
    period as ``_service``, for ``_service_dates``)."""
    for q, seg in w.dates.items():
        no, _, els = seg
        e = els + _PAD
        start, end = col.date_value(e[DTP02] or None, e[DTP03] or None, "2300/DTP03", no)
        key = CLAIM_DATES[q]
        if key == "statement":
            fields["statement_from"], fields["statement_to"] = start, end
            locs["statement_from"] = locs["statement_to"] = ("2300/DTP03", no)
        elif key == "service":
            fields["_service"] = (start, end, no)
        else:
            fields[key] = start
            locs[key] = ("2300/DTP03", no)
    refs = w.refs
    if refs:
        for q, attr in _REF_FIELDS:
            seg = refs.get(q)
            if seg is not None:
                fields[attr] = element(seg[SEG_ELEMENTS], REF02)
                locs[attr] = ("2300/REF02", seg[SEG_NO])


def _service_dates(lines: list, service_lines: tuple, fields: dict, locs: dict) -> tuple:
    """(service_from, service_to): the span of the lines' dates, else the 2300 service date
    (DTP*472), else the statement period; located in ``locs``."""
    service_from = service_to = None
    first = last = None  # the lines whose DTP03 hold the claim's service dates
    for ln, sl in zip(lines, service_lines):
        start = sl.date_from
        if start is None:
            continue
        if service_from is None or start < service_from:
            service_from = start
            first = ln
        end = sl.date_to or start
        if service_to is None or end > service_to:
            service_to = end
            last = ln
    if first is not None:
        locs["service_from"] = (_line_dtp03(first.position), first.dates[0][SEG_NO])
        locs["service_to"] = (_line_dtp03(last.position), last.dates[0][SEG_NO])
    svc = fields.pop("_service", None)  # (from, to, DTP segment number)
    if service_from is None:
        if svc is not None:
            service_from, service_to = svc[0], svc[1]
            locs["service_from"] = locs["service_to"] = ("2300/DTP03", svc[2])
        elif fields.get("statement_from") is not None:
            service_from, service_to = fields["statement_from"], fields["statement_to"]
            locs["service_from"] = locs["service_to"] = locs["statement_from"]
    return service_from, service_to


def _required_loops(w: ClaimWalk, col: Collector, clm_no: int) -> None:
    """Strict 005010 checks over the whole claim: a principal diagnosis, a service line, and
    each 2320 other payer's 2330A subscriber and 2330B payer."""
    if not w.diagnoses or not _has_principal(w.diagnoses):
        col.add("X12-REQ-SEG", "the claim has no principal diagnosis (HI*ABK)", "2300/HI", clm_no)
    if not w.lines:
        col.add("X12-REQ-SEG", "the claim has no service line (LX)", "2400/LX", clm_no)
    for op in w.others:
        for sub_loop, what in _OTHER_PAYER_REQUIRED:
            if sub_loop not in op.names:
                col.add("X12-REQ-SEG", f"loop {op.prefix}/{sub_loop} ({what}) is missing", f"{op.prefix}/{sub_loop}", op.sbr[SEG_NO])


def _parties(billing: Optional[Billing], sub: Optional[Subscriber], pat: Optional[Patient], claim_names: list) -> tuple:
    """(providers, subscriber, patient): the 2000A providers with the claim's 2310x ones, and the
    2000B / 2000C people (the subscriber is the patient when there is no 2000C loop)."""
    if claim_names:
        providers = (billing.providers if billing is not None else ()) + tuple([provider(role, nl) for role, nl in claim_names])
    else:
        providers = billing.providers if billing is not None else ()
    subscriber = sub.person if sub is not None else None
    if pat is not None and pat.person is not None:
        patient = pat.person
    elif subscriber is not None and pat is None:
        patient = sub.as_patient()
    else:
        patient = None
    return providers, subscriber, patient


_OTHER_PAYER_REQUIRED = (("2330A", "other subscriber NM1*IL"), ("2330B", "other payer NM1*PR"))


_REF_FIELDS = (("G1", "prior_authorization"), ("9F", "referral_number"), ("F8", "payer_claim_control_number"))


def _has_principal(diagnoses: list) -> bool:
    for d in diagnoses:
        if d.qualifier in _PRINCIPAL_QUALIFIERS:
            return True
    return False


_LINE_DTP03 = [f"2400[{i}]/DTP03" for i in range(100)]


def _line_dtp03(position: int) -> str:
    return _LINE_DTP03[position] if position < 100 else f"2400[{position}]/DTP03"
