"""One ST..SE transaction: header, HL hierarchy, claims, and the findings that belong to all of them.

Transaction-level findings (SE01 count, SE02 control number, a missing SE, header
problems) reach every claim of the transaction, and the SE comes last. So the reader holds
the transaction's segment *texts* (compact strings) until its SE, then reads them: the
transaction's findings are known before its first claim is built, and each claim is handed
on as soon as it is built. Holding texts rather than built claims keeps memory small and
lets the next claim reuse the memory of the last one (handing claims on at once measured
~25% faster than holding 5,000 built claims). Two exceptions: an HL with an unknown level
code is a transaction-level finding that may come after claims, so such a transaction's
claims are held until SE as before; and a transaction with more than ``MAX_PENDING`` claims
(the 837 guides recommend at most 5,000 CLM per ST) is read as it arrives from then on,
its claims handed on at once, and its transaction-level findings reported as run errors
too, so memory stays bounded on any file. A transaction of more than ``MAX_HELD_TEXTS``
segments with few claims (HL loops without claims) has its held texts read early, its
claims built and held until SE as under an unknown HL, so its texts are bounded too.
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import ClaimRecord, Finding, RunError, Source

try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython
from scrubber.readers.x12 import layout
from scrubber.readers.x12.claim import Envelope, build_claim
from scrubber.readers.x12.fast import new_record
from scrubber.readers.x12.limits import DEFAULT, Limits
from scrubber.readers.x12.loops import HLLoop
from scrubber.readers.x12.maxlen import MAX_LENGTHS
from scrubber.readers.x12.rules import finding
from scrubber.readers.x12.segments import segment
from scrubber.readers.x12.values import Collector, element

MAX_PENDING = 5000
# Held segment texts read at once (their claims built and held, as under an unknown HL) when a
# transaction has this many with few claims among them (HL loops without claims): memory stays
# bounded by texts, not only by claims. About 5,000 claims of 50 segments.
MAX_HELD_TEXTS = 250_000
_HL_LEVELS = layout.HL_LEVELS
_MAX_LENGTHS = MAX_LENGTHS
_FLAT_LENGTHS = {sid: tuple(v for pos, mx, _ in rows for v in (pos, mx)) for sid, rows in MAX_LENGTHS.items()}


class Budget:
    """The file's limits and what is left of them, shared by its transactions."""

    def __init__(self, limits: Limits = DEFAULT):
        self.limits = limits
        self.claims_left = limits.max_claims_per_file
        self.first_over: Optional[int] = None  # segment of the first claim past the file's limit
        self.over = 0  # claims past it


class Transaction:
    """The state of one open transaction while its segments arrive."""

    def __init__(self, st: tuple, env: Envelope, findings: list[Finding], budget: Optional[Budget] = None):
        self.budget = budget if budget is not None else Budget()
        self.max_segment = self.budget.limits.max_segment_chars
        self.max_segments = self.budget.limits.max_transaction_segments
        self.over_from = 0  # the first segment past max_segments (0: none)
        self.claim_findings: list[Finding] = []  # limit findings of the open claim's segments
        self.st_no = st[0]
        self.control = element(st[2], 2)
        self.env = env
        self.count = 1  # segments ST..SE inclusive
        self.findings = findings  # transaction-level: go to every claim
        self.header: list[tuple] = [st]
        self.into = self.header  # where the next ordinary segment goes
        self.header_checked = False
        self.hl_levels: dict[str, str] = {}
        self.billing: Optional[HLLoop] = None
        self.subscriber: Optional[HLLoop] = None
        self.patient: Optional[HLLoop] = None
        self.loop: Optional[HLLoop] = None
        self.claim: Optional[list[tuple]] = None
        self.pending: list[list] = []  # [claim_id, source, claim, findings, error]
        self.handed_on = 0
        self.texts: list[str] = []  # segments after ST, held unread until SE
        self.first_no = self.st_no + 1  # segment number of texts[0]
        self.claims_held = 0  # CLM segments among texts
        self.hold = False  # an HL with an unknown level: hold the built claims until SE
        self.streaming = False  # more than MAX_PENDING claims: read segments as they arrive

    # -- holding ----------------------------------------------------------------------------
    @cython.boundscheck(False)  # compiled: texts are never empty (the stream drops empty segments)
    @cython.wraparound(False)
    def hold_text(self, text: str, el: str) -> bool:
        """Hold one segment's text until SE; True when the transaction has grown too big to hold
        (the reader then calls ``overflow``). Spots what must be known before claims are read."""
        self.texts.append(text)
        if len(self.texts) >= MAX_HELD_TEXTS:
            # Read what is held now; the claims built stay pending until SE (prompt is False here:
            # no SE findings yet, not streaming), so records are the same as if held to the end.
            for _ in self._read_held(el, None):
                pass
        c = text[0]
        if c == "C" and text[:3] == "CLM" and text[3:4] in ("", el):
            self.claims_held += 1
            return self.claims_held > MAX_PENDING
        if c == "H" and text[:2] == "HL" and text[2:3] in ("", el) and not self.hold:
            level = element(text.split(el), 3)
            if level not in _HL_LEVELS:
                self.hold = True  # its finding goes to every claim, also those built before it
        return False

    def overflow(self, el: str):
        """Too many claims to hold: read what is held now and every later segment as it arrives,
        handing claims on at once (they do not see the findings of the SE, which are also reported
        as run errors when the transaction ends)."""
        self.streaming = True
        yield from self._read_held(el, None)
        if self.pending:  # built before (MAX_HELD_TEXTS) and nothing left held to hand them on with
            yield from self.hand_on([])

    def take(self, seg: tuple, el: str):
        """A segment the reader routes here outside its fast path (a TA1 inside the transaction)."""
        if self.streaming:
            self.add(seg)
            if self.pending:
                yield from self.hand_on([])
        elif self.hold_text(seg[1], el):
            yield from self.overflow(el)

    def _read_held(self, el: str, extra):
        """Read the held texts in order. Each claim closed on the way (by the next CLM or HL) goes
        on at once with the transaction's findings and ``extra``, unless ``hold`` says they must
        wait for SE; the last claim stays open (more of its segments may follow, or ``finish``
        closes it)."""
        texts = self.texts
        no = self.first_no
        self.texts = []
        self.first_no = no + len(texts)
        prompt = extra is not None and not self.hold or self.streaming
        shared = None
        for text in texts:
            self.add(segment(no, text, el))
            no += 1
            if prompt and self.pending:
                if shared is None:
                    shared = self.findings + (extra or [])  # final: header checked, no unknown HL
                yield from self._hand_on_shared(shared)

    # -- segments -------------------------------------------------------------------------
    def add(self, seg: tuple) -> None:
        """One segment of the transaction: CLM and HL open a claim or a loop, the rest joins the open one."""
        self.count += 1
        sid = seg[2][0]
        if self.count > self.max_segments:
            self._past_limit(seg, sid)
            return
        if sid == "CLM":
            self.close_claim()
            self.claim = [seg]
            self.into = self.claim
        elif sid == "HL":
            self.close_claim()
            self.start_hl(seg)
            self.into = self.loop.segments
        else:
            self.into.append(seg)
        # Element lengths: a flat (position, maximum, ...) tuple per segment id, walked with C
        # integers when compiled; only a segment with an element over it pays for the finding.
        lim = _FLAT_LENGTHS.get(sid)
        if lim is not None:
            els = seg[2]
            n = len(els)
            m = len(lim)
            k = 0
            while k < m:
                pos = lim[k]
                if pos >= n:
                    break
                if len(els[pos]) > lim[k + 1]:
                    self._check_lengths(seg, sid, _MAX_LENGTHS.get(sid))
                    return
                k += 2
        if len(seg[1]) >= self.max_segment:
            self._check_lengths(seg, sid, None)

    def _check_lengths(self, seg: tuple, sid: str, lim) -> None:
        """Elements past their X12 maximum length, and a segment the stream cut for its size: a
        finding on the claim, HL loop or header the segment belongs to. The value itself is never
        in the message (it may be a name or a member id)."""
        no, text, els = seg
        found: list[Finding] = []
        if len(text) >= self.max_segment:
            found.append(finding("X12-SEG-SIZE", f"segment {no} ({sid[:10]}) is longer than the limit of {self.max_segment:,} "
                                 "characters (CLAIMSCRUB_X12_MAX_SEGMENT_CHARS); only its start was read", sid[:10], no))
        if lim is not None:
            n = len(els)
            for pos, mx, numeric in lim:
                if pos >= n:
                    break
                size = len(els[pos])
                if size > mx and numeric:
                    v = els[pos]
                    size -= v.count("-") + v.count(".")  # X12 counts a number's digits only
                if size > mx:
                    found.append(finding("X12-ELEM-LENGTH", f"{sid}{pos:02d} at segment {no} is {size:,} "
                                         f"{'digits' if numeric else 'characters'} long; the X12 005010 maximum for this "
                                         f"element is {mx}", f"{sid}{pos:02d}", no))
        if not found:
            return
        if self.claim is not None:
            self.claim_findings.extend(found)
        elif self.into is self.header or self.loop is None:
            self.findings.extend(found)
        else:
            self.loop.findings.extend(found)

    def _past_limit(self, seg: tuple, sid: str) -> None:
        """A segment past the transaction's segment limit: not read; a CLM is an unreadable claim."""
        no = seg[0]
        if not self.over_from:
            self.over_from = no
            self.close_claim()
            self.findings.append(finding(
                "X12-TX-SIZE", f"the transaction (ST at segment {self.st_no}) has more than {self.max_segments:,} segments "
                "(CLAIMSCRUB_X12_MAX_TRANSACTION_SEGS); its segments from here to SE were not read, and each claim "
                "among them is listed as unreadable", "SE", no))
            self.streaming = True  # claims read before the limit go on at once; these findings become run errors
        if sid != "CLM":
            return
        env = self.env
        source = Source(env.path, no, env.interchange, env.group, env.transaction, env.version)
        message = (f"CLM at segment {no} comes after the transaction's limit of {self.max_segments:,} segments "
                   "(CLAIMSCRUB_X12_MAX_TRANSACTION_SEGS); the claim was not read")
        self.pending.append([element(seg[2], 1) or f"<CLM at segment {no}>", source, None, [],
                             RunError("unreadable-claim", message, env.path, no)])

    def check_header(self) -> None:
        """Header checks (BHT, 1000A, 1000B), once, when the first HL (or SE) arrives."""
        if self.header_checked:
            return
        self.header_checked = True
        env = self.env
        col = Collector()
        strict = env.strict
        for no, _, els in self.header:
            if els[0] == "ST":
                continue
            sid = els[0]
            if sid == "BHT":
                d, _ = col.date_value("D8", element(els, 4), "BHT04", no)
                if d is not None:
                    env.created, env.created_loc = d, ("BHT04", no)
            if not strict:
                continue
            if sid not in layout.HEADER_SEGMENTS:
                if sid in layout.KNOWN_SEGMENTS:
                    col.add("X12-SEG-MISPLACED", f"segment {sid} is not allowed in the transaction header", f"header/{sid}", no)
                else:
                    col.add("X12-SEG-UNKNOWN", f"unknown segment id {sid[:10]!r} in the transaction header", f"header/{sid[:10]}", no)
                continue
            if sid == "NM1" and element(els, 1) not in ("41", "40"):
                # Only 1000A (41 submitter) and 1000B (40 receiver) names belong in the header.
                col.add("X12-SEG-MISPLACED", f"NM1*{(element(els, 1) or '')[:10]} is not allowed in the transaction header "
                        "(only NM1*41 submitter and NM1*40 receiver; names of people and payers follow an HL)", "header/NM101", no)
                continue
            req = layout.REQUIRED.get(sid)
            if req:
                loop = "1000A" if sid in ("NM1", "PER") else "header"
                col.required(els, req, loop, no)
        if strict and self.header and self.header[0][2][0] == "ST":
            col.required(self.header[0][2], layout.REQUIRED["ST"], "header", self.st_no)
            if not any(s[2][0] == "BHT" for s in self.header):
                col.add("X12-REQ-SEG", "the transaction has no BHT segment", "header/BHT", self.st_no)
        env.header = tuple(s[1] for s in self.header)
        self.findings.extend(col.findings)

    def start_hl(self, seg: tuple) -> None:
        self.check_header()
        no, _, els = seg
        hl_id, parent, level = element(els, 1), element(els, 2), element(els, 3)
        problems: list[str] = []
        expected = str(len(self.hl_levels) + 1)
        if hl_id is None or hl_id in self.hl_levels:
            problems.append(f"HL01 {hl_id!r} is missing or repeats an earlier HL id")
        elif hl_id != expected:
            problems.append(f"HL01 is {hl_id!r}; HL ids run 1, 2, 3 ... so {expected} was expected")
        if hl_id is not None:
            self.hl_levels.setdefault(hl_id, level or "")
        loop = HLLoop(level if level in _HL_LEVELS else "??", seg)
        if level == "20":
            if parent is not None:
                problems.append(f"HL02 is {parent!r}; a billing provider HL (2000A) has no parent")
            self.billing, self.subscriber, self.patient = loop, None, None
        elif level == "22":
            if self.billing is None:
                problems.append("subscriber HL (2000B) without a billing provider HL (2000A) before it")
            elif parent != self.billing.hl_id:
                problems.append(f"HL02 is {parent!r}; the parent of this subscriber HL is billing provider HL {self.billing.hl_id!r}")
            self.subscriber, self.patient = loop, None
        elif level == "23":
            if self.subscriber is None:
                problems.append("patient HL (2000C) without a subscriber HL (2000B) before it")
            elif parent != self.subscriber.hl_id:
                problems.append(f"HL02 is {parent!r}; the parent of this patient HL is subscriber HL {self.subscriber.hl_id!r}")
            self.patient = loop
        else:
            problems.append(f"HL03 level code {level!r} is not 20 (billing provider), 22 (subscriber) or 23 (patient)")
        for text in problems:
            f = finding("X12-HL", f"HL at segment {no}: {text}", "HL", no)
            if loop.level == "??":
                self.findings.append(f)
            else:
                loop.findings.append(f)
        self.loop = loop

    # -- claims ---------------------------------------------------------------------------
    def close_claim(self) -> None:
        segs = self.claim
        if segs is None:
            return
        self.claim = None
        self.check_header()
        env = self.env
        no, _, els = segs[0]
        claim_id = element(els, 1)
        own_limits = self.claim_findings
        self.claim_findings = []
        budget = self.budget
        if budget.claims_left <= 0:  # past the file's claim limit: listed, not built
            budget.over += 1
            if budget.first_over is None:
                budget.first_over = no
            source = Source(env.path, no, env.interchange, env.group, env.transaction, env.version)
            message = (f"CLM at segment {no} is past the file's limit of {budget.limits.max_claims_per_file:,} claims "
                       "(CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE); the claim was not read")
            self.pending.append([claim_id or f"<CLM at segment {no}>", source, None, [], RunError("unreadable-claim", message, env.path, no)])
            return
        budget.claims_left -= 1
        if claim_id is None:
            source = Source(env.path, no, env.interchange, env.group, env.transaction, env.version)
            message = f"CLM at segment {no} has no claim id (CLM01); the claim cannot be identified"
            self.pending.append([f"<CLM at segment {no}>", source, None, [], RunError("unreadable-claim", message, env.path, no)])
            return
        try:
            billing = self.billing.parsed(env.strict) if self.billing is not None else None
            sub = self.subscriber.parsed(env.strict) if self.subscriber is not None else None
            pat = self.patient.parsed(env.strict) if self.patient is not None else None
            claim, own = build_claim(segs, env, billing, sub, pat)
            findings: list[Finding] = []
            if self.subscriber is None:
                findings.append(finding("X12-HL", f"CLM at segment {no} is not under a subscriber HL (2000B)", "2000B", no))
            if billing is not None:
                findings.extend(billing.findings)
            if sub is not None:
                findings.extend(sub.findings)
            if pat is not None:
                findings.extend(pat.findings)
            findings.extend(own)
            findings.extend(own_limits)
            self.pending.append([claim_id, claim.source, claim, findings, None])
        except Exception as exc:  # a claim that cannot be built is unreadable, never a crash
            source = Source(env.path, no, env.interchange, env.group, env.transaction, env.version)
            message = f"claim at segment {no} could not be read ({type(exc).__name__})"
            self.pending.append([claim_id, source, None, [], RunError("unreadable-claim", message, env.path, no)])

    def hand_on(self, extra: list[Finding]) -> list[ClaimRecord]:
        """The held claims as ClaimRecords, with the transaction's findings (and ``extra``) attached."""
        return self._hand_on_shared(self.findings + extra)

    def _hand_on_shared(self, shared: list[Finding]) -> list[ClaimRecord]:
        out = []
        for claim_id, source, claim, findings, error in self.pending:
            all_findings = tuple(findings + shared) if (findings or shared) else ()
            out.append(new_record(claim_id=claim_id, source=source, claim=claim, findings=all_findings, error=error))
        self.handed_on += len(out)
        self.pending = []
        return out

    def finish(self, se: Optional[tuple], el: str):
        """Finish at SE (or, when ``se`` is None, at the end of the file or the next envelope):
        read the held segments, yield every claim, then the transaction's run errors."""
        extra = self._trailer(se)
        if self.texts:
            yield from self._read_held(el, extra)
        self.close_claim()
        self.check_header()
        errors: list[RunError] = []
        if self.handed_on and self.streaming:  # claims handed on early never saw these findings: report them too
            errors = [RunError("structure", f"{f.rule_id}: {f.message}", self.env.path, f.location_segment) for f in self.findings + extra]
        yield from self.hand_on(extra)
        yield from errors

    def _trailer(self, se: Optional[tuple]) -> list[Finding]:
        """The SE's findings: its segment count (ST to SE, the held segments included) and control number."""
        extra: list[Finding] = []
        if se is None:
            extra.append(finding("X12-SE-MISSING", f"transaction {self.control!r} (ST at segment {self.st_no}) is not closed by SE", "SE", self.st_no))
        else:
            no, _, els = se
            count, control = element(els, 1), element(els, 2)
            total = self.count + len(self.texts) + 1  # SE itself
            if count is None or not (count.isascii() and count.isdigit()) or int(count) != total:
                extra.append(finding("X12-SE01", f"SE01 says {count!r} segments; the transaction has {total} (ST to SE)", "SE01", no))
            if control != self.control:
                extra.append(finding("X12-CTRL-ST", f"SE02 {control!r} does not match ST02 {self.control!r}", "SE02", no))
        return extra
