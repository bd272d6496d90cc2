"""The clean / held split: two valid 837 interchanges from one scrub, claim content byte for byte.

``SplitWriter(clean_path, held_path, fail_on)`` receives every claim in input order through
``add(record, claim_result)`` (the pipeline's ``on_claim`` hook) and streams each readable X12
claim into the clean file (no finding at or above ``fail_on``) or the held file (the rest).
Unreadable claims, claims with no X12 source (JSON input) and claims whose envelope or HL loops
the reader could not keep go to neither and are listed in the summary ``close()`` returns, so
every claim is accounted for.

What is rewritten, and only that: ISA13 / IEA02, GS06 / GE02 and ST02 / SE02 get new control
numbers, and the ISA is written at its fixed width from its parsed values (each field stripped and
padded; a claim whose ISA fields do not fit, hold bytes that are not printable ASCII or declare
unusable delimiters is set aside with the reason, never copied into a file that would not re-read); HL01 / HL02 are renumbered 1..n in the new file and HL04 says whether a patient loop
follows; SE01, GE01 and IEA01 are counted. Every other segment (the BHT and 1000A/B header, the
billing, subscriber and patient loops, the claim from CLM to its last line) is written exactly as
the reader kept it in ``RawClaim``. Consecutive claims that share a header, billing provider,
subscriber or patient loop share it in the output too, as they did in the input. Claims whose
envelopes cannot share an interchange (other delimiters, sender or receiver) start a new
interchange in the same file; claims from another functional group or transaction header start
a new GS or ST.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import IO, Iterator, Optional

from scrubber.model import ClaimRecord, ClaimResult, RawClaim
from scrubber.model.result import SEVERITY_RANK

_ISA_KEEP = (1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16)  # ISA elements that must match to share an interchange
_GS_KEEP = (1, 2, 3, 7, 8)  # GS elements that must match to share a group (not date, time, control number)


# ISA01..ISA16 fixed widths (the ISA is 106 characters with its terminator).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def fixed_width_isa(elements: list[str]) -> list[str]:
    """Pad short ISA elements to their fixed width (real files pad wrongly); never cut a long one.

    Identifier fields are padded with spaces on the right, as the standard writes them, so a
    reader that takes the ISA by position finds the separators where they belong.
    """
    out = list(elements)
    for i, width in enumerate(ISA_WIDTHS, start=1):
        if i < len(out) and i not in (13, 16):  # values re-padded from what was parsed (see isa_problem)
            value = out[i].strip() if i not in (2, 4) else out[i].rstrip()
            if len(value) <= width:
                out[i] = value.ljust(width)
    return out


_ISA_DIGITS = {9: "ISA09 (date, YYMMDD)", 10: "ISA10 (time, HHMM)"}


def isa_problem(elements: list[str], raw: RawClaim) -> Optional[str]:
    """Why this ISA cannot be written as a valid fixed-width ISA from its parsed values, or None.

    The clean file is "ready to send": an ISA whose fields do not fit their fixed widths, hold
    bytes that are not printable ASCII, or declare unusable delimiters would fail the receiver's
    (and claimscrub's own) re-read, so such a claim is set aside with this reason instead."""
    if len(elements) < 17:
        return "no complete ISA envelope to copy"
    delims = [raw.element_sep, raw.component_sep, raw.segment_term]
    if raw.repetition_sep and raw.repetition_sep not in ("U",):
        delims.append(raw.repetition_sep)
    for d in delims:
        if len(d or "") != 1 or d.isalnum() or d == " " or not (d.isprintable() or d in "\r\n\x1c\x1d\x1e\x1f"):
            return f"the ISA declares an unusable delimiter {d!r}"
    if len(set(delims)) != len(delims):
        return "the ISA declares the same character for two delimiters"
    if elements[16] != raw.component_sep:
        return f"ISA16 {elements[16][:10]!r} is not one component separator character"
    for i, width in enumerate(ISA_WIDTHS, start=1):
        if i in (13, 16):  # our own control number; ISA16 is the component separator itself
            continue
        value = elements[i].strip() if i not in (2, 4) else elements[i].rstrip()
        if len(value) > width:
            return f"ISA{i:02d} {value[:20]!r} is longer than its fixed width of {width}"
        if not all(" " <= c <= "~" for c in value):
            return f"ISA{i:02d} holds characters that are not printable ASCII"
        if i in _ISA_DIGITS and not (value.isascii() and value.isdigit() and len(value) == width):
            return f"{_ISA_DIGITS[i]} is {value!r}"
    return None


def default_control_start() -> int:
    """A control number unlikely to repeat one sent before: seconds since 2020, mod 10^9."""
    return (int(time.time()) - 1_577_836_800) % 999_999_000 + 1


class InterchangeWriter:
    """Streams RawClaims into X12 interchanges on one text stream (see the module docstring)."""

    def __init__(self, out: IO[str], first_number: int, more_numbers: Iterator[int], line_break: bool = True):
        self.out = out
        self.first_number = first_number  # ISA13 of this file's first interchange
        self.control_numbers = more_numbers  # shared with the other file, for any further interchange
        self.line_break = line_break
        self.raw: Optional[RawClaim] = None  # the claim whose envelope is open
        self.isa_key = self.gs_key = self.st_key = None
        self.isa_number = 0
        self.groups = 0  # in the open interchange
        self.transactions = 0  # in the open group
        self.segments = 0  # in the open transaction, ST included
        self.hl = 0
        self.billing_key = self.subscriber_key = self.patient_key = None
        self.billing_hl = self.subscriber_hl = 0
        self.claims = 0
        self.interchanges = 0
        self.isa_numbers: list[str] = []  # ISA13 of every interchange written, for the run record

    # -- output helpers
    def _write(self, segment: str) -> None:
        term = self.raw.segment_term
        self.out.write(segment + term + ("\n" if self.line_break and term not in "\r\n" else ""))

    def _seg(self, segment: str) -> None:
        self._write(segment)
        self.segments += 1

    def _elements(self, segment: str) -> list[str]:
        return segment.split(self.raw.element_sep)

    def _join(self, elements: list[str]) -> str:
        return self.raw.element_sep.join(elements)

    # -- envelopes
    def _open_interchange(self, raw: RawClaim) -> None:
        self.raw = raw
        self.isa_number = next(self.control_numbers) if self.interchanges else self.first_number
        isa = self._elements(raw.isa)
        isa[13] = f"{self.isa_number:09d}"
        self.isa_numbers.append(isa[13])
        self._write(self._join(fixed_width_isa(isa)))
        self.groups = 0
        self.interchanges += 1

    def _close_interchange(self) -> None:
        self._close_group()
        if self.raw is not None and self.isa_key is not None:
            self._write(self._join(["IEA", str(self.groups), f"{self.isa_number:09d}"]))
        self.isa_key = None

    def _open_group(self, raw: RawClaim) -> None:
        self.groups += 1
        gs = self._elements(raw.gs)
        gs[6] = str(self.groups)
        self._write(self._join(gs))
        self.transactions = 0

    def _close_group(self) -> None:
        self._close_transaction()
        if self.gs_key is not None:
            self._write(self._join(["GE", str(self.transactions), str(self.groups)]))
        self.gs_key = None

    def _open_transaction(self, raw: RawClaim) -> None:
        self.transactions += 1
        self.segments = 0
        self.hl = 0
        self.billing_key = self.subscriber_key = self.patient_key = None
        st = self._elements(raw.header[0])
        st[2] = f"{self.transactions:04d}"
        self._seg(self._join(st))
        for segment in raw.header[1:]:
            self._seg(segment)

    def _close_transaction(self) -> None:
        if self.st_key is not None:
            self.segments += 1
            self._write(self._join(["SE", str(self.segments), f"{self.transactions:04d}"]))
        self.st_key = None

    def _hl(self, loop: tuple[str, ...], parent: int, has_child: bool) -> int:
        self.hl += 1
        hl = self._elements(loop[0])
        while len(hl) < 5:
            hl.append("")
        hl[1], hl[2], hl[4] = str(self.hl), (str(parent) if parent else ""), ("1" if has_child else "0")
        self._seg(self._join(hl))
        for segment in loop[1:]:
            self._seg(segment)
        return self.hl

    # -- claims
    def add(self, raw: RawClaim) -> None:
        isa = raw.isa.split(raw.element_sep)
        isa_key = (raw.element_sep, raw.component_sep, raw.repetition_sep, raw.segment_term,
                   tuple(isa[i] if i < len(isa) else None for i in _ISA_KEEP))
        gs = raw.gs.split(raw.element_sep)
        gs_key = tuple(gs[i] if i < len(gs) else None for i in _GS_KEEP)
        st_key = (tuple(raw.header[0].split(raw.element_sep)[3:]), raw.header[1:])
        if isa_key != self.isa_key:
            self._close_interchange()
            self._open_interchange(raw)
            self.isa_key = isa_key
        if gs_key != self.gs_key:
            self._close_group()
            self._open_group(raw)
            self.gs_key = gs_key
        if st_key != self.st_key:
            self._close_transaction()
            self._open_transaction(raw)
            self.st_key = st_key
        billing_key = raw.billing[1:]
        subscriber_key = (raw.subscriber[1:], bool(raw.patient))
        if billing_key != self.billing_key:
            self.billing_hl = self._hl(raw.billing, 0, True)
            self.billing_key, self.subscriber_key, self.patient_key = billing_key, None, None
        if subscriber_key != self.subscriber_key:
            self.subscriber_hl = self._hl(raw.subscriber, self.billing_hl, bool(raw.patient))
            self.subscriber_key, self.patient_key = subscriber_key, None
        if raw.patient and raw.patient[1:] != self.patient_key:
            self._hl(raw.patient, self.subscriber_hl, False)
            self.patient_key = raw.patient[1:]
        for segment in raw.claim:
            self._seg(segment)
        self.claims += 1

    def close(self, template: Optional[RawClaim] = None) -> None:
        """End the open interchange; with no claim written, write an empty one from ``template``."""
        if self.interchanges == 0 and template is not None:
            self._open_interchange(template)
            self.isa_key = ()
        self._close_interchange()


def unwritable(raw: RawClaim) -> Optional[str]:
    """Why this claim's X12 cannot be copied into a valid interchange, or None when it can."""
    sep = raw.element_sep
    if not raw.isa or len(raw.isa.split(sep)) < 17:
        return "no complete ISA envelope to copy"
    problem = isa_problem(raw.isa.split(sep), raw)
    if problem is not None:
        return problem
    if not raw.gs or len(raw.gs.split(sep)) < 9:
        return "no complete GS group header to copy"
    if not raw.header or raw.header[0].split(sep)[0] != "ST" or len(raw.header[0].split(sep)) < 3:
        return "no ST transaction header to copy"
    for name, loop in (("billing provider", raw.billing), ("subscriber", raw.subscriber)):
        if not loop or loop[0].split(sep)[0] != "HL":
            return f"no {name} HL loop to copy"
    if raw.patient and raw.patient[0].split(sep)[0] != "HL":
        return "the patient loop does not start with HL"
    if not raw.claim or raw.claim[0].split(sep)[0] != "CLM":
        return "no CLM segment to copy"
    return None


@dataclass(frozen=True)
class SetAside:
    """A claim written to neither file, and why."""

    claim_id: str
    path: str
    segment: Optional[int]
    reason: str


@dataclass
class SplitSummary:
    clean_path: Optional[str]
    held_path: Optional[str]
    clean_claims: int = 0
    held_claims: int = 0
    clean_interchanges: int = 0
    held_interchanges: int = 0
    set_aside: list[SetAside] = field(default_factory=list)
    clean_isa13: list[str] = field(default_factory=list)
    held_isa13: list[str] = field(default_factory=list)

    def record(self) -> list[dict]:
        """The split files for the run result (``run.split_outputs``): path, claims and the interchange
        control numbers (ISA13) claimscrub gave them; GS06 / ST02 restart at 1 in each interchange."""
        out = []
        for side, path, claims, numbers in (("clean", self.clean_path, self.clean_claims, self.clean_isa13),
                                            ("held", self.held_path, self.held_claims, self.held_isa13)):
            if path:
                out.append({"side": side, "path": path, "claims": claims, "interchange_control_numbers": list(numbers)})
        return out

    def lines(self) -> list[str]:
        """What `scrub` prints on standard error: counts, paths and every claim in neither file."""
        out = []
        if self.clean_path:
            out.append(f"clean: {self.clean_claims} claims written to {self.clean_path}")
        if self.held_path:
            out.append(f"held: {self.held_claims} claims written to {self.held_path}")
        if self.set_aside:
            out.append(f"{len(self.set_aside)} claims written to neither file:")
            for s in self.set_aside:
                where = f"{s.path}:{s.segment}" if s.segment is not None else s.path
                out.append(f"  {s.claim_id} ({where}): {s.reason}")
        return out


class SplitWriter:
    """Route every claim of a scrub to the clean file, the held file, or the set-aside list.

    ``fail_on`` is the scrub's threshold (error | warning | info | never): a claim with a finding
    at or above it is held. Either path may be None (only the other file is written). Output is
    written with ``encoding`` (the reader's; X12 is ASCII in practice) and ``surrogateescape`` so
    undecodable input bytes come back out unchanged.
    """

    def __init__(self, clean_path: Optional[str], held_path: Optional[str], fail_on: str = "error",
                 control_start: Optional[int] = None, encoding: str = "utf-8", line_break: bool = True):
        self.threshold = SEVERITY_RANK.get(fail_on, 99)  # never: nothing is held
        start = control_start if control_start is not None else default_control_start()
        numbers = itertools.count(start + 2)  # start: the clean file, start + 1: the held file
        self.summary = SplitSummary(clean_path, held_path)
        self._template: Optional[RawClaim] = None  # envelope for a file that gets no claim
        self._files = []
        self._clean = self._open(clean_path, start, numbers, encoding, line_break)
        self._held = self._open(held_path, start + 1, numbers, encoding, line_break)

    def _open(self, path, first, numbers, encoding, line_break) -> Optional[InterchangeWriter]:
        if path is None:
            return None
        f = open(path, "w", encoding=encoding, errors="surrogateescape", newline="")
        self._files.append(f)
        return InterchangeWriter(f, first, numbers, line_break)

    def route(self, record: ClaimRecord, result: ClaimResult) -> tuple:
        """Where ``add`` puts the claim: ("clean" | "held", its RawClaim) or ("aside", a SetAside).
        It writes nothing, so a ``--jobs`` worker computes it where the claim was read and only
        this value reaches the parent (``ScrubOptions.claim_keys``), not the claim or its result."""
        raw = record.claim.raw if record.claim is not None else None
        if result.status == "unreadable" or record.claim is None:
            return "aside", SetAside(result.claim_id, result.source_path, result.source_segment,
                                     "unreadable: " + (result.error or "claim could not be read"))
        if raw is None:
            return "aside", SetAside(result.claim_id, result.source_path, result.source_segment,
                                     "no X12 source to copy (JSON claim)")
        reason = unwritable(raw)
        if reason is not None:
            return "aside", SetAside(result.claim_id, result.source_path, result.source_segment, reason)
        return ("held" if result.worst_rank() >= self.threshold else "clean"), raw

    def add(self, record: ClaimRecord, result: ClaimResult) -> None:
        """The next claim in input order; ``record.keys``, when set, is its ``route`` made by the
        worker that read it (then nothing else of the record or the result is read)."""
        routed = getattr(record, "keys", None)
        side, what = routed if routed is not None else self.route(record, result)
        if side == "aside":
            self.summary.set_aside.append(what)
            return
        if self._template is None:
            self._template = what
        if side == "held":
            if self._held is not None:
                self._held.add(what)
            self.summary.held_claims += 1
        else:
            if self._clean is not None:
                self._clean.add(what)
            self.summary.clean_claims += 1

    def close(self) -> SplitSummary:
        for writer in (self._clean, self._held):
            if writer is not None:
                writer.close(self._template)
        self.summary.clean_interchanges = self._clean.interchanges if self._clean else 0
        self.summary.held_interchanges = self._held.interchanges if self._held else 0
        self.summary.clean_isa13 = list(self._clean.isa_numbers) if self._clean else []
        self.summary.held_isa13 = list(self._held.isa_numbers) if self._held else []
        for f in self._files:
            f.close()
        self._files = []
        return self.summary

    def __enter__(self) -> "SplitWriter":
        return self

    def __exit__(self, *exc) -> None:
        if self._files:
            self.close()
