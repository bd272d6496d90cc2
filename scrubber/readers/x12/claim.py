"""One claim's segments (CLM through the segment before the next CLM / HL / SE) -> Claim.

The walk follows the 2300 loop and its sub-loops: 2310x claim providers (NM1), 2320 other
payers (SBR) with their 2330x names, 2400 service lines (LX) with 2410 drug (LIN), 2420x
line providers, 2430 line adjudication (SVD) and 2440 forms (LQ). A segment that belongs
to the parent loop but comes after a sub-loop is still read, with an order finding.
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import Claim, CodeEntry, Diagnosis
from scrubber.readers.x12 import layout
from scrubber.readers.x12.claim_checks import all_present
from scrubber.readers.x12.claim_parts import LineSegments, OtherPayerSegments, build_line, build_other, read_hi
from scrubber.readers.x12.fast import new_claim, new_raw, new_source
from scrubber.readers.x12.loops import Billing, Patient, Subscriber
from scrubber.readers.x12.names import NameLoop, provider
from scrubber.readers.x12.values import Collector, element, lazy_locs, parse_amount

_PAD = [""] * 24
_REQ = layout.REQUIRED
_CLAIM_PROVIDERS, _LINE_PROVIDERS, _OTHER_PAYER_NAMES = layout.CLAIM_PROVIDERS, layout.LINE_PROVIDERS, layout.OTHER_PAYER_NAMES
_KNOWN_SEGMENTS, _PRINCIPAL_QUALIFIERS = layout.KNOWN_SEGMENTS, layout.PRINCIPAL_QUALIFIERS

# Loop 2400 (service line) repeat per claim: 50 in 005010X222A1 (837P), 999 in 005010X223A2 (837I).
_MAX_LINES = {"837P": 50, "837I": 999}
_PARENT = {"2310": "2300", "2320": "2300", "2330": "2300", "2410": "2400", "2420": "2400", "2430": "2400", "2440": "2400"}
_RANKS = {
    "2300": layout.LOOP_2300, "2310": layout.PROVIDER_LOOP, "2320": layout.LOOP_2320, "2330": layout.LOOP_2330,
    "2400": layout.LOOP_2400, "2410": layout.LOOP_2410, "2420": layout.PROVIDER_LOOP, "2430": layout.LOOP_2430,
    "2440": layout.LOOP_2440,
}
_CLAIM_DATES = {"431": "onset_date", "434": "statement", "435": "admission_date", "096": "discharge_date", "472": "service"}


class Envelope:
    """What the transaction knows that every claim in it shares."""

    __slots__ = ("path", "kind", "strict", "version", "interchange", "group", "transaction", "created",
                 "created_loc", "delimiters", "isa", "gs", "header")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def guess_kind(segs: list[tuple]) -> str:
    for seg in segs:
        sid = seg[2][0]
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
    e = clm if len(clm) > 9 else clm + _PAD  # reads e[1..9]; pad (a copy) only a short CLM
    locs: dict = {"claim_id": ("2300/CLM01", clm_no)}
    if strict:
        for i in _REQ["CLM"]:
            if not e[i]:
                col.required(clm, (i,), "2300", clm_no)
    total = None
    if e[2]:
        total = parse_amount(e[2])
        if total is None:
            col.amount(e[2], "2300/CLM02", clm_no)
        else:
            locs["total_charge"] = ("2300/CLM02", clm_no)
    pos = fq = freq = None
    clm05 = e[5] or None
    if clm05 is not None:
        parts = clm05.split(comp)
        pos = parts[0] or None
        fq = parts[1] if len(parts) > 1 and parts[1] else None
        freq = parts[2] if len(parts) > 2 and parts[2] else None
        locs["place_of_service"] = ("2300/CLM05-1", clm_no)
        if fq is not None:
            locs["facility_code_qualifier"] = ("2300/CLM05-2", clm_no)
        if freq is not None:
            locs["frequency"] = ("2300/CLM05-3", clm_no)
    dates: dict[str, tuple] = {}
    refs: dict[str, tuple] = {}
    diagnoses: list[Diagnosis] = []
    conditions: list[CodeEntry] = []
    occurrences: list[CodeEntry] = []
    values: list[CodeEntry] = []
    procedures: list[CodeEntry] = []
    fields: dict = {}
    claim_names: list[tuple[str, NameLoop]] = []
    others: list[OtherPayerSegments] = []
    lines: list[LineSegments] = []
    line: Optional[LineSegments] = None
    other: Optional[OtherPayerSegments] = None
    name: Optional[NameLoop] = None
    state, rank, hi_count = "2300", 0, 0
    prov_map = _CLAIM_PROVIDERS[kind]
    line_map = _LINE_PROVIDERS[kind]
    other_map = _OTHER_PAYER_NAMES[kind]

    sv_req = _REQ["SV1" if kind == "837P" else "SV2"]
    dtp_req = _REQ["DTP"]
    sv_id = "SV1" if kind == "837P" else "SV2"
    for j in range(1, len(segs)):
        seg = segs[j]
        no, _, els = seg
        sid = els[0]
        if state == "2400":
            # Fast path for the bulk of a claim: well-formed service line segments in order.
            if sid == "DTP" and rank <= 7 and all_present(els, dtp_req):
                rank = 7
                if els[1] == "472":
                    line.dates.append(seg)
                continue
            if sid == sv_id and rank == 0 and all_present(els, sv_req):
                rank = 1
                if kind == "837P":
                    line.sv1 = seg
                else:
                    line.sv2 = seg
                continue
        # Loop starts.
        if sid == "LX":
            line = LineSegments(len(lines) + 1, seg)
            lines.append(line)
            col.line = line.number
            if line.number == _MAX_LINES.get(kind, 999) + 1:  # once, at the first line past the limit
                col.add("X12-LOOP-REPEAT", f"the claim has more service lines than the {kind} guide allows: loop 2400 "
                        f"repeats at most {_MAX_LINES.get(kind, 999)} times per claim (line {line.number} and later)",
                        line.prefix + "/LX", no)
            state, rank, name = "2400", 0, None
            if strict and (len(els) < 2 or not els[1]):
                col.required(els, (1,), line.prefix, no)
            continue
        if sid == "SBR" and line is None:
            other = OtherPayerSegments(len(others) + 1, seg)
            others.append(other)
            state, rank, name = "2320", 0, None
            if strict:
                col.required(els, (1, 2, 9), other.prefix, no)
            continue
        if sid == "NM1":
            code = element(els, 1) or ""
            if line is not None:
                hit = line_map.get(code)
                if hit is None:
                    _bad_entity(col, code, line.prefix + "/2420", no)
                    state, rank, name = "2420", 99, None
                    continue
                name = NameLoop(f"{line.prefix}/{hit[0]}", seg)
                line.names.append((hit[1], name))
                state = "2420"
            elif other is not None:
                sub_loop = other_map.get(code)
                if sub_loop is None:
                    _bad_entity(col, code, other.prefix + "/2330", no)
                    state, rank, name = "2330", 99, None
                    continue
                name = NameLoop(f"{other.prefix}/{sub_loop}", seg)
                other.names.setdefault(sub_loop, name)
                state = "2330"
            else:
                hit = prov_map.get(code)
                if hit is None:
                    _bad_entity(col, code, "2310", no)
                    state, rank, name = "2310", 99, None
                    continue
                name = NameLoop(hit[0], seg)
                claim_names.append((hit[1], name))
                state = "2310"
            rank = 0
            if strict and (len(els) < 3 or not els[1] or not els[2]):
                col.required(els, _REQ["NM1"], name.prefix, no)
            continue
        if line is not None and sid in ("LIN", "SVD", "LQ"):
            state, rank, name = {"LIN": "2410", "SVD": "2430", "LQ": "2440"}[sid], 0, None
            if sid == "LIN":
                line.lin = seg
                if strict:
                    col.required(els, _REQ["LIN"], line.prefix + "/2410", no)
            continue
        # A segment inside the current loop (or, out of order, its parent's).
        ranks = _RANKS[state]
        loop_state = state
        r = ranks.get(sid)
        if r is None:
            parent = _PARENT.get(state)
            if parent is not None and sid in _RANKS[parent]:
                loop_state = parent
                if strict:
                    col.add("X12-SEG-ORDER", f"{sid} belongs to loop {parent} and comes after a {state} loop", f"{parent}/{sid}", no)
            else:
                if strict:
                    where = line.prefix if line is not None and state >= "2400" else state
                    if sid in _KNOWN_SEGMENTS:
                        col.add("X12-SEG-MISPLACED", f"segment {sid} is not allowed in loop {state}", f"{where}/{sid}", no)
                    else:
                        col.add("X12-SEG-UNKNOWN", f"unknown segment id {sid[:10]!r} in loop {state}", f"{where}/{sid[:10]}", no)
                continue
        else:
            if r < rank and strict:
                col.add("X12-SEG-ORDER", f"{sid} is out of order in loop {state}", f"{state}/{sid}", no)
            rank = max(rank, r)
        if strict:
            req = _REQ.get(sid)
            if req is not None and not all_present(els, req):
                col.required(els, req, _prefix(loop_state, line, other, name), no)
        if loop_state == "2300":
            if sid == "HI":
                hi_count += 1
                read_hi(els, no, hi_count, comp, col, diagnoses, conditions, occurrences, values, procedures)
            elif sid == "DTP":
                q = els[1] if len(els) > 1 else None
                if q in _CLAIM_DATES:
                    dates[q] = seg
            elif sid == "REF":
                q = els[1] if len(els) > 1 else None
                if q in ("G1", "9F", "F8"):
                    refs.setdefault(q, seg)
            elif sid == "CL1":
                e = els + _PAD
                for i, attr in ((1, "admission_type"), (2, "admission_source"), (3, "patient_status")):
                    if e[i]:
                        fields[attr] = e[i]
                        locs[attr] = (f"2300/CL10{i}", no)
        elif loop_state == "2400":
            if sid == "SV1":
                line.sv1 = seg
                if kind == "837I" and strict:
                    col.add("X12-SEG-MISPLACED", "SV1 (professional service) in an 837I claim", f"{line.prefix}/SV1", no)
            elif sid == "SV2":
                line.sv2 = seg
                if kind == "837P" and strict:
                    col.add("X12-SEG-MISPLACED", "SV2 (institutional service) in an 837P claim", f"{line.prefix}/SV2", no)
            elif sid == "SV3":  # 837D (dental, read best-effort); in an 837P / 837I it has no place
                if strict:
                    col.add("X12-SEG-MISPLACED", f"SV3 (dental service) in an {kind} claim", f"{line.prefix}/SV3", no)
                else:
                    line.sv3 = seg
            elif sid == "TOO" and strict:
                col.add("X12-SEG-MISPLACED", f"TOO (tooth information, dental) in an {kind} claim", f"{line.prefix}/TOO", no)
            elif sid == "DTP" and len(els) > 1 and els[1] == "472":
                line.dates.append(seg)
            elif sid == "REF" and len(els) > 2 and els[1] == "G1" and line.prior_auth is None:
                line.prior_auth = seg
        elif loop_state in ("2310", "2420", "2330"):
            if name is not None:
                name.take(sid, seg)
        elif loop_state == "2320":
            if sid == "AMT" and element(els, 1) == "D":
                other.amt_paid = seg
        elif loop_state == "2410":
            if sid == "CTP":
                line.ctp = seg

    # Dates and references of the claim.
    for q, seg in dates.items():
        no, _, els = seg
        e = els + _PAD
        start, end = col.date_value(e[2] or None, e[3] or None, "2300/DTP03", no)
        key = _CLAIM_DATES[q]
        if key == "statement":
            fields["statement_from"], fields["statement_to"] = start, end
            locs["statement_from"] = locs["statement_to"] = ("2300/DTP03", no)
        elif key == "service":
            fields["_service"] = (start, end, no)
        else:
            fields[key] = start
            locs[key] = ("2300/DTP03", no)
    for q, attr in (_REF_FIELDS if refs else ()):
        seg = refs.get(q)
        if seg is not None:
            fields[attr] = element(seg[2], 2)
            locs[attr] = ("2300/REF02", seg[0])

    service_lines = tuple([build_line(ln, kind, comp, col, strict) for ln in lines])
    col.line = None
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
        locs["service_from"] = (_line_dtp03(first.position), first.dates[0][0])
        locs["service_to"] = (_line_dtp03(last.position), last.dates[0][0])
    if service_from is None:
        svc = fields.pop("_service", None)
        if svc is not None:
            service_from, service_to = svc[0], svc[1]
            locs["service_from"] = locs["service_to"] = ("2300/DTP03", svc[2])
        elif fields.get("statement_from") is not None:
            service_from, service_to = fields["statement_from"], fields["statement_to"]
            locs["service_from"] = locs["service_to"] = locs["statement_from"]
    fields.pop("_service", None)

    if strict:
        if not diagnoses or not _has_principal(diagnoses):
            col.add("X12-REQ-SEG", "the claim has no principal diagnosis (HI*ABK)", "2300/HI", clm_no)
        if not lines:
            col.add("X12-REQ-SEG", "the claim has no service line (LX)", "2400/LX", clm_no)
        for op in others:
            for sub_loop, what in (("2330A", "other subscriber NM1*IL"), ("2330B", "other payer NM1*PR")):
                if sub_loop not in op.names:
                    col.add("X12-REQ-SEG", f"loop {op.prefix}/{sub_loop} ({what}) is missing", f"{op.prefix}/{sub_loop}", op.sbr[0])

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
        claim=tuple([s[1] for s in segs]),
    )
    claim = new_claim(
        claim_id=clm[1],
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
        diagnoses=tuple(diagnoses),
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


_REF_FIELDS = (("G1", "prior_authorization"), ("9F", "referral_number"), ("F8", "payer_claim_control_number"))


def _has_principal(diagnoses: list) -> bool:
    for d in diagnoses:
        if d.qualifier in _PRINCIPAL_QUALIFIERS:
            return True
    return False


def _prefix(loop_state: str, line: Optional[LineSegments], other: Optional[OtherPayerSegments], name: Optional[NameLoop]) -> str:
    if loop_state in ("2310", "2330", "2420") and name is not None:
        return name.prefix
    if loop_state == "2320" and other is not None:
        return other.prefix
    if loop_state >= "2400" and line is not None:
        return line.prefix if loop_state == "2400" else f"{line.prefix}/{loop_state}"
    return loop_state


def _bad_entity(col: Collector, code: str, where: str, no: int) -> None:
    col.add("X12-SEG-MISPLACED", f"NM101 entity code {code[:10]!r} does not start a loop here", where + "/NM101", no)


_LINE_DTP03 = [f"2400[{i}]/DTP03" for i in range(100)]


def _line_dtp03(position: int) -> str:
    return _LINE_DTP03[position] if position < 100 else f"2400[{position}]/DTP03"


def _int(text: Optional[str]) -> Optional[int]:
    if text is not None and text.isascii() and text.isdigit():
        return int(text)
    return None
