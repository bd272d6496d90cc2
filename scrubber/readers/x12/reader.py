"""X12 837 file -> ClaimRecords and RunErrors: envelopes (ISA/GS/ST), control numbers and counts.

Interchange- and group-level problems (IEA/GE counts and control numbers, missing
envelopes) become ``RunError(kind="structure")`` with their segment number; transactions
that are not 837s are reported (``kind="unsupported"``) and skipped. Everything else is
the transaction's business (``transaction.py``).
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional, Union

from scrubber.model import ClaimRecord, RunError, Source

try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython
from scrubber.readers.x12 import layout
from scrubber.readers.x12.claim import Envelope
from scrubber.readers.x12.limits import Limits, from_environment
from scrubber.readers.x12.rules import finding
from scrubber.readers.x12.segments import Delimiters, SegmentStream, segment
from scrubber.readers.x12.transaction import Budget, Transaction
from scrubber.readers.x12.values import element
from scrubber.readers.x12.fast import new_record

Record = Union[ClaimRecord, RunError]


class _Interchange:
    __slots__ = ("no", "text", "control", "delimiters", "groups")

    def __init__(self, no: int, text: str, control: Optional[str], delimiters: Delimiters):
        self.no, self.text, self.control, self.delimiters, self.groups = no, text, control, delimiters, 0


class _Group:
    __slots__ = ("no", "text", "control", "version", "transactions")

    def __init__(self, no: int, text: str, control: Optional[str], version: Optional[str]):
        self.no, self.text, self.control, self.version, self.transactions = no, text, control, version, 0


class _Skipped:
    """A non-837 transaction: counted, not read."""

    __slots__ = ("st_no", "control")

    def __init__(self, st_no: int, control: Optional[str]):
        self.st_no, self.control = st_no, control


def read_x12(chunks: Iterable[bytes], path: str, limits: Optional[Limits] = None, *, first_segment: int = 0) -> Iterator[Record]:
    """Every claim of an X12 file (as bytes chunks) in order, with the file's run errors.
    ``first_segment``: segments of the file before these bytes (a Dask partition of a large file,
    ``scrubber.dask_split``), so every segment number is the whole file's. ``limits`` (default:
    the environment's, ``limits.py``) bound what one hostile file can cost."""
    return _Reader(path, limits, first_segment).accounted(chunks)


class _Reader:
    def __init__(self, path: str, limits: Optional[Limits] = None, first_segment: int = 0):
        self.path = path
        self.first_segment = first_segment
        self.limit_problems: list[str] = []
        if limits is None:
            limits, self.limit_problems = from_environment()
        self.budget = Budget(limits)
        self.isa: Optional[_Interchange] = None
        self.gs: Optional[_Group] = None
        self.tx: Optional[Union[Transaction, _Skipped]] = None
        self.stream: Optional[SegmentStream] = None

    def accounted(self, chunks: Iterable[bytes]) -> Iterator[Record]:
        """``run``, with the end-of-file accounting that does not depend on parsing the damaged
        text (issue 19): the stream counts the CLM segment starts in the raw bytes as it reads
        them; if fewer claims came out, one unreadable claim for each missing one. Never more
        claims than the bytes hold; the count errs high (a value that looks like a CLM segment
        start), so a claim is never lost to a count that is too low (docs/reliability.md)."""
        claims = 0
        for record in self.run(chunks):
            if not isinstance(record, RunError):
                claims += 1
            yield record
        stream = self.stream
        stream.count_rest()
        missing = stream.clm_bytes - claims
        if missing > 0:
            yield from self._missing(missing, claims)

    def _missing(self, missing: int, claims: int) -> Iterator[Record]:
        stream = self.stream
        seen = stream.clm_bytes
        where = (f"at about byte {stream.clm_first:,}" if seen == 1 else
                 f"between about bytes {stream.clm_first:,} and {stream.clm_last:,}")
        no = stream.count or None
        yield self.error("X12-CLM-COUNT", f"the file's bytes hold {seen:,} CLM segment start{'s' * (seen != 1)} ({where}) "
                         f"and the reader read {claims:,} claim{'s' * (claims != 1)}; the {missing:,} missing "
                         f"{'are' if missing != 1 else 'is'} listed as unreadable", no)
        for k in range(1, missing + 1):
            tie = f"at about byte {stream.clm_last:,}" if missing == 1 and seen == 1 else f"{k} of {missing:,} missing, {where}"
            message = f"CLM segment found in the file's bytes ({tie}) that the reader could not read; the claim was not read"
            yield new_record(claim_id=f"<CLM {k} of {missing} missing>", source=Source(self.path, no), claim=None,
                             findings=(), error=RunError("unreadable-claim", message, self.path, no))

    def error(self, rule_id: str, message: str, segment: Optional[int], kind: str = "structure") -> RunError:
        return RunError(kind, f"{rule_id}: {message}", self.path, segment)

    @cython.locals(problems=list, t=Transaction, text=str, el=str, sid=str, stream=SegmentStream)
    @cython.boundscheck(False)  # compiled: the stream yields no empty text
    @cython.wraparound(False)
    def run(self, chunks: Iterable[bytes]) -> Iterator[Record]:
        stream = self.stream = SegmentStream(chunks, self.budget.limits.max_segment_chars)
        stream.count = self.first_segment
        problems = stream.problems
        for message in self.limit_problems:
            yield RunError("config", message, self.path, None)
        envelope = {"ISA": self._isa, "GS": self._gs, "ST": self._st, "SE": self._se, "GE": self._ge, "IEA": self._iea, "TA1": self._ta1}
        tx = None
        el = ""
        for text in stream:
            if problems or stream.lost_claims:
                yield from self._problems()
            if not el or text[0] == "I":
                el = stream.delimiters.element  # delimiters change only at an ISA (or before the first segment)
            sid = envelope_id(text, el)
            if sid is not None:
                yield from envelope[sid](segment(stream.count, text, el))
                tx = self.tx
                continue
            if tx is None:
                yield from self._implicit_st(segment(stream.count, text, el))
                tx = self.tx
                continue
            if tx.__class__ is Transaction:
                t = tx  # compiled: typed (reader.pxd), so these are C calls, once per segment
                if t.streaming:
                    t.add(segment(stream.count, text, el))
                    if t.pending:
                        yield from t.hand_on([])
                elif t.hold_text(text, el):
                    yield from t.overflow(el)
            elif text[:3] == "CLM" and text[3:4] == el:  # a claim in a transaction that is not an 837: listed, not lost
                yield self._skipped_claim(segment(stream.count, text, el), tx)
        if problems or stream.lost_claims:
            yield from self._problems()
        yield from self._close_tx(None)
        budget = self.budget
        if budget.over:
            yield self.error("X12-FILE-CLAIMS", f"the file has more than {budget.limits.max_claims_per_file:,} claims "
                             f"(CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE); the {budget.over:,} from segment {budget.first_over} on "
                             "are listed as unreadable, not read", budget.first_over)
        if self.gs is not None:
            yield self.error("X12-GE-MISSING", f"functional group {self.gs.control!r} (GS at segment {self.gs.no}) is not closed by GE", self.gs.no)
            self.gs = None
        if self.isa is not None:
            yield self.error("X12-IEA-MISSING", f"interchange {self.isa.control!r} (ISA at segment {self.isa.no}) is not closed by IEA", self.isa.no)
            self.isa = None

    def _problems(self) -> Iterator[Record]:
        for rule_id, message, segment in self.stream.problems:
            kind = "unreadable-file" if self.stream.count == self.first_segment and rule_id == "X12-ISA" and self.isa is None else "structure"
            yield self.error(rule_id, message, segment, kind)
        self.stream.problems.clear()
        for no, n, where in self.stream.lost_claims:  # CLM segments inside text the stream skipped
            for k in range(1, n + 1):
                message = f"CLM {k} of {n} {where}; the claim was not read"
                yield new_record(claim_id=f"<CLM {k} inside segment {no}>", source=Source(self.path, no), claim=None,
                                 findings=(), error=RunError("unreadable-claim", message, self.path, no))
        self.stream.lost_claims.clear()

    # -- envelopes ------------------------------------------------------------------------
    def _isa(self, seg: tuple) -> Iterator[Record]:
        no, text, els = seg
        yield from self._close_tx(None)
        if self.gs is not None:
            yield self.error("X12-GE-MISSING", f"functional group {self.gs.control!r} (GS at segment {self.gs.no}) is not closed by GE", self.gs.no)
            self.gs = None
        if self.isa is not None:
            yield self.error("X12-IEA-MISSING", f"interchange {self.isa.control!r} (ISA at segment {self.isa.no}) is not closed by IEA", self.isa.no)
        if len(els) != 17:
            yield self.error("X12-ISA", f"ISA has {len(els) - 1} elements; it must have 16", no)
        elif len(text) != 105:
            yield self.error("X12-ISA", f"ISA is {len(text) + 1} characters long with its terminator; the standard fixes it at 106", no)
        control = els[13].strip() if len(els) > 13 else None
        self.isa = _Interchange(no, text, control, self.stream.delimiters)

    def _gs(self, seg: tuple) -> Iterator[Record]:
        no, text, els = seg
        yield from self._close_tx(None)
        if self.gs is not None:
            yield self.error("X12-GE-MISSING", f"functional group {self.gs.control!r} (GS at segment {self.gs.no}) is not closed by GE", self.gs.no)
        if self.isa is None:
            if no != self.first_segment + 1:  # at the first segment the tokenizer has already said the file has no ISA
                yield self.error("X12-ISA-MISSING", f"GS at segment {no} is outside an ISA interchange", no)
            self.isa = _Interchange(no, "", None, self.stream.delimiters)
            self.isa.control = None
        self.isa.groups += 1
        self.gs = _Group(no, text, element(els, 6), element(els, 8))

    def _st(self, seg: tuple) -> Iterator[Record]:
        no, text, els = seg
        yield from self._close_tx(None)
        if self.gs is None:
            yield self.error("X12-GS-MISSING", f"ST at segment {no} is outside a GS functional group", no)
        else:
            self.gs.transactions += 1
        self._open(seg, implicit=False)
        if type(self.tx) is _Skipped:
            yield self.error("X12-ST-TYPE", f"transaction set {element(els, 1)!r} (ST at segment {no}) is not an 837 claim; skipped", no, kind="unsupported")

    def _skipped_claim(self, seg: tuple, tx) -> ClaimRecord:
        """An unreadable claim for a CLM inside a skipped (not 837) transaction: a garbled ST01 must
        not make its claims vanish from the output."""
        no, _, els = seg
        claim_id = element(els, 1) or f"<CLM at segment {no}>"
        message = (f"CLM at segment {no} is inside a transaction (ST at segment {tx.st_no}) whose ST01 is not 837; "
                   "the claim was not read")
        source = Source(self.path, no, self.isa.control if self.isa is not None else None,
                        self.gs.control if self.gs is not None else None, tx.control, None)
        return new_record(claim_id=claim_id, source=source, claim=None, findings=(),
                          error=RunError("unreadable-claim", message, self.path, no))

    def _ta1(self, seg: tuple) -> Iterator[Record]:
        """A TA1 (interchange acknowledgment) may follow the ISA (X12.6): it is not a claim, nor
        a segment outside a transaction. Inside a transaction it is just a segment that has
        no place there, and the transaction says so."""
        tx = self.tx
        if tx is not None:
            if tx.__class__ is Transaction:
                yield from tx.take(seg, self.stream.delimiters.element)
            return
        no = seg[0]
        yield self.error("X12-ST-TYPE", f"TA1 interchange acknowledgment at segment {no} is not an 837 claim; skipped", no, kind="unsupported")

    def _implicit_st(self, seg: tuple) -> Iterator[Record]:
        no = seg[0]
        yield self.error("X12-ST-MISSING", f"segment {seg[2][0][:10]!r} at segment {no} is outside a transaction (no ST); read as if an 837 transaction began here", no)
        self._open(seg, implicit=True)

    def _open(self, seg: tuple, implicit: bool) -> None:
        no, text, els = seg
        if not implicit and element(els, 1) != "837":
            self.tx = _Skipped(no, element(els, 2))
            return
        gs = self.gs
        version = (None if implicit else element(els, 3)) or (gs.version if gs is not None else None)
        strict = version is None or layout.is_005010(version)
        isa = self.isa
        env = Envelope(
            path=self.path, kind=layout.kind_of(version), strict=strict, version=version,
            interchange=isa.control if isa is not None else None,
            group=gs.control if gs is not None else None,
            transaction=None if implicit else element(els, 2),
            delimiters=self.stream.delimiters, isa=isa.text if isa is not None else None,
            gs=gs.text if gs is not None else None, header=(),
        )
        findings = []
        if version is not None and not layout.is_005010(version):
            from_st03 = not implicit and element(els, 3) is not None  # ST03, when present, is what was read
            where = ("ST03", no) if from_st03 else ("GS08", gs.no if gs is not None else no)
            findings.append(finding("X12-VERSION", f"version {version[:20]!r} is not 005010X222 (837P) or 005010X223 (837I); read on a best-effort basis", *where))
        if implicit:
            findings.append(finding("X12-ST-MISSING", f"claims from segment {no} on are outside a transaction (no ST)", "ST", no))
            tx = Transaction((no, "ST", ["ST", "837"]), env, findings, self.budget)
            tx.count = 0
            tx.header = []
            tx.into = tx.header
            tx.first_no = no  # this segment is the transaction's first
            tx.hold_text(text, self.stream.delimiters.element)
        else:
            tx = Transaction(seg, env, findings, self.budget)
        self.tx = tx

    def _se(self, seg: tuple) -> Iterator[Record]:
        if self.tx is None:
            yield self.error("X12-ST-MISSING", f"SE at segment {seg[0]} closes no transaction", seg[0])
            return
        yield from self._close_tx(seg)

    def _close_tx(self, se: Optional[tuple]) -> Iterator[Record]:
        tx = self.tx
        if tx is None:
            return
        self.tx = None
        if type(tx) is _Skipped:
            if se is None:
                yield self.error("X12-SE-MISSING", f"transaction (ST at segment {tx.st_no}) is not closed by SE", tx.st_no)
            return
        # The transaction's own element separator: when a new ISA (its interchange had no IEA)
        # closes it, the stream already has the new interchange's delimiters.
        yield from tx.finish(se, tx.env.delimiters.element)

    def _ge(self, seg: tuple) -> Iterator[Record]:
        no, _, els = seg
        yield from self._close_tx(None)
        gs = self.gs
        if gs is None:
            yield self.error("X12-GS-MISSING", f"GE at segment {no} closes no functional group", no)
            return
        self.gs = None
        count, control = element(els, 1), element(els, 2)
        if _count(count) != gs.transactions:
            yield self.error("X12-GE01", f"GE01 says {count!r} transactions; the group has {gs.transactions}", no)
        if control != gs.control:
            yield self.error("X12-CTRL-GS", f"GE02 {control!r} does not match GS06 {gs.control!r}", no)

    def _iea(self, seg: tuple) -> Iterator[Record]:
        no, _, els = seg
        yield from self._close_tx(None)
        if self.gs is not None:
            yield self.error("X12-GE-MISSING", f"functional group {self.gs.control!r} (GS at segment {self.gs.no}) is not closed by GE", self.gs.no)
            self.gs = None
        isa = self.isa
        if isa is None:
            yield self.error("X12-ISA-MISSING", f"IEA at segment {no} closes no interchange", no)
            return
        self.isa = None
        count, control = element(els, 1), element(els, 2)
        if _count(count) != isa.groups:
            yield self.error("X12-IEA01", f"IEA01 says {count!r} groups; the interchange has {isa.groups}", no)
        if isa.control is not None and control != isa.control:
            yield self.error("X12-CTRL-ISA", f"IEA02 {control!r} does not match ISA13 {isa.control!r}", no)


def _count(text: Optional[str]) -> Optional[int]:
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


_ENVELOPE_IDS = ("ISA", "GS", "ST", "SE", "GE", "IEA", "TA1")


@cython.boundscheck(False)  # compiled: every index below is checked against n first
@cython.wraparound(False)
def envelope_id(text: str, el: str) -> Optional[str]:
    """The id of an envelope segment (ISA GS ST SE GE IEA TA1), None for any other segment.

    The same as ``text.split(el)[0] in _ENVELOPE_IDS`` without splitting (most segments are
    not envelopes and are only split when their transaction is read)."""
    n = len(text)
    if n < 2:
        return None
    c = text[0]
    c1 = text[1]
    if c == "S":
        if c1 != "T" and c1 != "E":
            return None
        k = 2
    elif c == "G":
        if c1 != "S" and c1 != "E":
            return None
        k = 2
    elif c == "I":
        if (c1 != "S" and c1 != "E") or n < 3 or text[2] != "A":
            return None
        k = 3
    elif c == "T":
        if c1 != "A" or n < 3 or text[2] != "1":
            return None
        k = 3
    else:
        return None
    if n > k and text[k:k + 1] != el:
        return None
    return text[:k]
