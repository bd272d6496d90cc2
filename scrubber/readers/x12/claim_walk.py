"""The walk over one claim's segments: which loop each one is in, whether it is in order, where it goes.

``walk_claim`` follows the 2300 loop and its sub-loops: 2310x claim providers (NM1), 2320
other payers (SBR) with their 2330x names, 2400 service lines (LX) with 2410 drug (LIN),
2420x line providers, 2430 line adjudication (SVD) and 2440 forms (LQ). Each loop start
has its handler (``start_*``), each loop's own segments theirs (``take_*``); what they
collect (``ClaimWalk``'s fields) ``claim.build_claim`` turns into the Claim. A segment
that belongs to the parent loop but comes after a sub-loop is still read, with an order
finding.

Loops are named by int constants (``LOOP_2300`` ...): compiled, comparing them is a C
comparison, and a message or path shows them as the guide's loop ids.
"""
from __future__ import annotations

from typing import Optional

try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython
from scrubber.readers.x12 import elements as el
from scrubber.readers.x12 import layout
from scrubber.readers.x12.claim_checks import all_present
from scrubber.readers.x12.claim_parts import LineSegments, OtherPayerSegments, read_hi
from scrubber.readers.x12.names import NameLoop
from scrubber.readers.x12.values import Collector, element

# The loops of a claim (2300) and its sub-loops.
LOOP_2300, LOOP_2310, LOOP_2320, LOOP_2330 = 2300, 2310, 2320, 2330
LOOP_2400, LOOP_2410, LOOP_2420, LOOP_2430, LOOP_2440 = 2400, 2410, 2420, 2430, 2440

# Segment positions (elements.py): C constants when compiled.
SEG_ELEMENTS, SEGMENT_ID = el.SEG_ELEMENTS, el.SEGMENT_ID
DTP01, REF01, REF02, AMT01, NM101, NM102, LX01 = el.DTP01, el.REF01, el.REF02, el.AMT01, el.NM101, el.NM102, el.LX01
SBR01, SBR02, SBR09 = el.SBR01, el.SBR02, el.SBR09
CL101, CL102, CL103 = el.CL101, el.CL102, el.CL103

_REQ = layout.REQUIRED
_KNOWN_SEGMENTS = layout.KNOWN_SEGMENTS
# Loop 2400 (service line) repeat per claim: 50 in 005010X222A1 (837P), 999 in 005010X223A2 (837I).
_MAX_LINES = {"837P": 50, "837I": 999}
# A sub-loop's parent: its segments may still come (out of order) after the sub-loop.
_PARENT = {LOOP_2310: LOOP_2300, LOOP_2320: LOOP_2300, LOOP_2330: LOOP_2300, LOOP_2410: LOOP_2400,
           LOOP_2420: LOOP_2400, LOOP_2430: LOOP_2400, LOOP_2440: LOOP_2400}
_RANKS = {
    LOOP_2300: layout.LOOP_2300, LOOP_2310: layout.PROVIDER_LOOP, LOOP_2320: layout.LOOP_2320,
    LOOP_2330: layout.LOOP_2330, LOOP_2400: layout.LOOP_2400, LOOP_2410: layout.LOOP_2410,
    LOOP_2420: layout.PROVIDER_LOOP, LOOP_2430: layout.LOOP_2430, LOOP_2440: layout.LOOP_2440,
}
# Segments that start a sub-loop of a service line.
_LINE_SUBLOOPS = {"LIN": LOOP_2410, "SVD": LOOP_2430, "LQ": LOOP_2440}
# 2300 DTP qualifiers the claim reads -> the field (claim.py maps them onto the Claim).
CLAIM_DATES = {"431": "onset_date", "434": "statement", "435": "admission_date", "096": "discharge_date", "472": "service"}
CLAIM_REFS = ("G1", "9F", "F8")  # prior authorization, referral number, payer claim control number
SERVICE_DATE = "472"  # DTP01 of a service date, in 2300 and 2400
_CL1_FIELDS = ((CL101, "admission_type", "2300/CL101"), (CL102, "admission_source", "2300/CL102"),
               (CL103, "patient_status", "2300/CL103"))
_PAD = [""] * 24


class ClaimWalk:
    """One claim's segments sorted into its loops, and where the walk stands (the open loops)."""

    __slots__ = ("kind", "strict", "comp", "col", "locs", "fields", "dates", "refs", "diagnoses", "conditions",
                 "occurrences", "values", "procedures", "claim_names", "others", "lines", "line", "other", "name",
                 "state", "ranks", "rank", "hi_count", "prov_map", "line_map", "other_map", "sv_id", "sv_req", "dtp_req")

    def __init__(self, kind: str, strict: bool, comp: str, col: Collector, locs: dict):
        self.kind, self.strict, self.comp, self.col = kind, strict, comp, col
        self.locs = locs  # the claim's: CL1 values are located here as they are read
        self.fields: dict = {}  # CL1 values by Claim field
        self.dates: dict[str, tuple] = {}  # 2300 DTP by qualifier (the last of each)
        self.refs: dict[str, tuple] = {}  # 2300 REF by qualifier (the first of each)
        self.diagnoses: list = []
        self.conditions: list = []
        self.occurrences: list = []
        self.values: list = []
        self.procedures: list = []
        self.claim_names: list[tuple[str, NameLoop]] = []  # (role, 2310x loop)
        self.others: list[OtherPayerSegments] = []
        self.lines: list[LineSegments] = []
        # Where the walk stands: the open service line, other payer and name loop, the loop the
        # last segment was in and the highest segment rank seen in it.
        self.line: Optional[LineSegments] = None
        self.other: Optional[OtherPayerSegments] = None
        self.name: Optional[NameLoop] = None
        self.state = LOOP_2300
        self.ranks = _RANKS[LOOP_2300]  # segment id -> rank in the open loop (layout.py)
        self.rank = 0
        self.hi_count = 0
        self.prov_map = layout.CLAIM_PROVIDERS[kind]
        self.line_map = layout.LINE_PROVIDERS[kind]
        self.other_map = layout.OTHER_PAYER_NAMES[kind]
        self.sv_id = "SV1" if kind == "837P" else "SV2"
        self.sv_req = _REQ[self.sv_id]
        self.dtp_req = _REQ["DTP"]

    # -- loop starts ------------------------------------------------------------------------
    def start_line(self, seg: tuple) -> None:
        """LX: a new 2400 service line."""
        no, _, els = seg
        line = LineSegments(len(self.lines) + 1, seg)
        self.lines.append(line)
        self.line = line
        col = self.col
        col.line = line.number
        limit = _MAX_LINES.get(self.kind, 999)
        if line.number == limit + 1:  # once, at the first line past the limit
            col.add("X12-LOOP-REPEAT", f"the claim has more service lines than the {self.kind} guide allows: loop 2400 "
                    f"repeats at most {limit} times per claim (line {line.number} and later)", line.prefix + "/LX", no)
        self._enter(LOOP_2400, 0)
        if self.strict and (len(els) <= LX01 or not els[LX01]):
            col.required(els, (LX01,), line.prefix, no)

    def start_other_payer(self, seg: tuple) -> None:
        """SBR before the first line: a new 2320 other payer."""
        no, _, els = seg
        other = OtherPayerSegments(len(self.others) + 1, seg)
        self.others.append(other)
        self.other = other
        self._enter(LOOP_2320, 0)
        if self.strict:
            self.col.required(els, (SBR01, SBR02, SBR09), other.prefix, no)

    def start_name(self, seg: tuple) -> None:
        """NM1: a 2420x line provider, a 2330x other payer name or a 2310x claim provider, by NM101."""
        no, _, els = seg
        code = element(els, NM101) or ""
        line, other = self.line, self.other
        if line is not None:
            hit = self.line_map.get(code)
            if hit is None:
                self._bad_entity(code, line.prefix + "/2420", no, LOOP_2420)
                return
            loop_id, role = hit
            name = NameLoop(f"{line.prefix}/{loop_id}", seg)
            line.names.append((role, name))
            self._enter_name(LOOP_2420, name)
        elif other is not None:
            sub_loop = self.other_map.get(code)
            if sub_loop is None:
                self._bad_entity(code, other.prefix + "/2330", no, LOOP_2330)
                return
            name = NameLoop(f"{other.prefix}/{sub_loop}", seg)
            other.names.setdefault(sub_loop, name)
            self._enter_name(LOOP_2330, name)
        else:
            hit = self.prov_map.get(code)
            if hit is None:
                self._bad_entity(code, "2310", no, LOOP_2310)
                return
            loop_id, role = hit
            name = NameLoop(loop_id, seg)
            self.claim_names.append((role, name))
            self._enter_name(LOOP_2310, name)
        if self.strict and (len(els) <= NM102 or not els[NM101] or not els[NM102]):
            self.col.required(els, _REQ["NM1"], name.prefix, no)

    def start_line_subloop(self, sid: str, seg: tuple) -> None:
        """LIN, SVD or LQ in a service line: its 2410, 2430 or 2440 loop."""
        self._enter(_LINE_SUBLOOPS[sid], 0)
        if sid == "LIN":
            line = self.line
            line.lin = seg
            if self.strict:
                self.col.required(seg[SEG_ELEMENTS], _REQ["LIN"], line.prefix + "/2410", seg[0])

    def _enter(self, loop: int, rank: int) -> None:
        """A loop that is not a name loop starts (or, rank 99, a name loop that could not start)."""
        self.state, self.ranks, self.rank, self.name = loop, _RANKS[loop], rank, None

    def _enter_name(self, loop: int, name: NameLoop) -> None:
        """A name loop (2310x, 2330x, 2420x) starts."""
        self.state, self.ranks, self.rank, self.name = loop, _RANKS[loop], 0, name

    def _bad_entity(self, code: str, where: str, no: int, loop: int) -> None:
        """An NM1 whose NM101 starts no loop here: its segments that follow are misplaced."""
        self.col.add("X12-SEG-MISPLACED", f"NM101 entity code {code[:10]!r} does not start a loop here", where + "/NM101", no)
        self._enter(loop, 99)

    # -- segments inside a loop -------------------------------------------------------------
    def take(self, sid: str, seg: tuple) -> None:
        """A segment inside the open loop (or, out of order, its parent's): order and required
        checks, then the loop's own handler."""
        no, _, els = seg
        state = self.state
        strict = self.strict
        loop = state
        r = self.ranks.get(sid)
        if r is None:
            parent = _PARENT.get(state)
            if parent is not None and sid in _RANKS[parent]:
                loop = parent
                if strict:
                    self.col.add("X12-SEG-ORDER", f"{sid} belongs to loop {parent} and comes after a {state} loop", f"{parent}/{sid}", no)
            else:
                if strict:
                    self._misplaced(sid, no)
                return
        else:
            if r < self.rank and strict:
                self.col.add("X12-SEG-ORDER", f"{sid} is out of order in loop {state}", f"{state}/{sid}", no)
            if r > self.rank:
                self.rank = r
        if strict:
            req = _REQ.get(sid)
            if req is not None and not all_present(els, req):
                self.col.required(els, req, self._prefix(loop), no)
        if loop == LOOP_2300:
            self.take_2300(sid, seg)
        elif loop == LOOP_2400:
            self.take_2400(sid, seg)
        elif loop == LOOP_2310 or loop == LOOP_2420 or loop == LOOP_2330:
            if self.name is not None:
                self.name.take(sid, seg)
        elif loop == LOOP_2320:
            if sid == "AMT" and element(els, AMT01) == "D":
                self.other.amt_paid = seg
        elif loop == LOOP_2410:
            if sid == "CTP":
                self.line.ctp = seg

    def take_2300(self, sid: str, seg: tuple) -> None:
        """2300: HI code lists, the DTP dates and REF numbers the claim reads, CL1 (837I)."""
        no, _, els = seg
        if sid == "HI":
            self.hi_count += 1
            read_hi(els, no, self.hi_count, self.comp, self.col, self.diagnoses, self.conditions, self.occurrences,
                    self.values, self.procedures)
        elif sid == "DTP":
            q = els[DTP01] if len(els) > DTP01 else None
            if q in CLAIM_DATES:
                self.dates[q] = seg
        elif sid == "REF":
            q = els[REF01] if len(els) > REF01 else None
            if q in CLAIM_REFS:
                self.refs.setdefault(q, seg)
        elif sid == "CL1":
            e = els + _PAD
            for i, attr, path in _CL1_FIELDS:
                if e[i]:
                    self.fields[attr] = e[i]
                    self.locs[attr] = (path, no)

    def take_2400(self, sid: str, seg: tuple) -> None:
        """2400: the service segment (SV1 / SV2; SV3 of an 837D when not strict), service date, line REF*G1."""
        no, _, els = seg
        line = self.line
        strict = self.strict
        kind = self.kind
        if sid == "SV1":
            line.sv1 = seg
            if kind == "837I" and strict:
                self.col.add("X12-SEG-MISPLACED", "SV1 (professional service) in an 837I claim", f"{line.prefix}/SV1", no)
        elif sid == "SV2":
            line.sv2 = seg
            if kind == "837P" and strict:
                self.col.add("X12-SEG-MISPLACED", "SV2 (institutional service) in an 837P claim", f"{line.prefix}/SV2", no)
        elif sid == "SV3":  # 837D (dental, read best-effort); in an 837P / 837I it has no place
            if strict:
                self.col.add("X12-SEG-MISPLACED", f"SV3 (dental service) in an {kind} claim", f"{line.prefix}/SV3", no)
            else:
                line.sv3 = seg
        elif sid == "TOO" and strict:
            self.col.add("X12-SEG-MISPLACED", f"TOO (tooth information, dental) in an {kind} claim", f"{line.prefix}/TOO", no)
        elif sid == "DTP" and len(els) > DTP01 and els[DTP01] == SERVICE_DATE:
            line.dates.append(seg)
        elif sid == "REF" and len(els) > REF02 and els[REF01] == "G1" and line.prior_auth is None:
            line.prior_auth = seg

    def _misplaced(self, sid: str, no: int) -> None:
        """A segment that has no place in the open loop nor in its parent."""
        state = self.state
        line = self.line
        where = line.prefix if line is not None and state >= LOOP_2400 else str(state)
        if sid in _KNOWN_SEGMENTS:
            self.col.add("X12-SEG-MISPLACED", f"segment {sid} is not allowed in loop {state}", f"{where}/{sid}", no)
        else:
            self.col.add("X12-SEG-UNKNOWN", f"unknown segment id {sid[:10]!r} in loop {state}", f"{where}/{sid[:10]}", no)

    def _prefix(self, loop: int) -> str:
        """The location prefix of a segment of ``loop`` (``2400[2]/2410``, ``2320[1]/2330B``, ``2300``)."""
        if (loop == LOOP_2310 or loop == LOOP_2330 or loop == LOOP_2420) and self.name is not None:
            return self.name.prefix
        if loop == LOOP_2320 and self.other is not None:
            return self.other.prefix
        line = self.line
        if loop >= LOOP_2400 and line is not None:
            return line.prefix if loop == LOOP_2400 else f"{line.prefix}/{loop}"
        return str(loop)


@cython.boundscheck(False)  # compiled: j runs over range(1, len(segs))
@cython.wraparound(False)
def walk_claim(segs: list[tuple], kind: str, strict: bool, comp: str, col: Collector, locs: dict) -> ClaimWalk:
    """Walk the segments after the CLM (``segs[0]``) of one claim, each to its loop's handler."""
    w = ClaimWalk(kind, strict, comp, col, locs)
    sv_id, sv_req, dtp_req = w.sv_id, w.sv_req, w.dtp_req
    for j in range(1, len(segs)):
        seg = segs[j]
        els = seg[SEG_ELEMENTS]
        sid = els[SEGMENT_ID]
        if w.state == LOOP_2400:
            # Fast path for the bulk of a claim: well-formed service line segments in order.
            if sid == "DTP" and w.rank <= 7 and all_present(els, dtp_req):
                w.rank = 7
                if els[DTP01] == SERVICE_DATE:
                    w.line.dates.append(seg)
                continue
            if sid == sv_id and w.rank == 0 and all_present(els, sv_req):
                w.rank = 1
                if sid == "SV1":
                    w.line.sv1 = seg
                else:
                    w.line.sv2 = seg
                continue
        if sid == "LX":
            w.start_line(seg)
        elif sid == "SBR" and w.line is None:
            w.start_other_payer(seg)
        elif sid == "NM1":
            w.start_name(seg)
        elif w.line is not None and sid in _LINE_SUBLOOPS:
            w.start_line_subloop(sid, seg)
        else:
            w.take(sid, seg)
    return w
