"""X12 segments of eligibility files (271, 834): the first ISA checked, segments numbered, ST..SE grouped.

The separators are read from the ISA itself (element separator = 4th
character; the component separator is ISA16 and the segment terminator is the
character right after it), counting elements rather than trusting the fixed
106-character width, because hand-edited files pad it wrongly. Line breaks
between segments are ignored. Segment numbers are 1-based over the whole file,
so a problem can be reported as ``file: segment N``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


class X12SyntaxError(ValueError):
    def __init__(self, message: str, segment: Optional[int] = None):
        super().__init__(message)
        self.segment = segment


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    elements: tuple[str, ...]  # elements[0] is the segment id, so elements[1] is XX01
    number: int  # 1-based position in the file

    def el(self, index: int) -> str:
        """Element ``index`` (1-based, as the guides number them), '' when absent."""
        return self.elements[index].strip() if index < len(self.elements) else ""


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    segment: str
    repetition: Optional[str]


@dataclass
class Transaction:
    kind: str  # ST01: 271, 834, 270 ...
    version: str  # GS08 / ST03
    segments: list[Segment]
    start: int  # segment number of ST


def separators(text: str) -> Separators:
    if not text.startswith("ISA") or len(text) < 4:
        raise X12SyntaxError("not an X12 interchange: the file does not start with an ISA segment", 1)
    el = text[3]
    pos = 3  # the separator after "ISA"; ISA16 follows the 16th separator
    for _ in range(15):
        pos = text.find(el, pos + 1)
        if pos < 0:
            raise X12SyntaxError("the ISA segment is incomplete: it has fewer than 16 elements", 1)
    if pos + 2 >= len(text):
        raise X12SyntaxError("the ISA segment is cut short before its segment terminator", 1)
    component, terminator = text[pos + 1], text[pos + 2]
    if terminator.isalnum() or terminator == el or component.isalnum() or component in (el, terminator):
        # The 16th separator was found past a short ISA, inside later segments.
        raise X12SyntaxError(f"the ISA segment is cut short or malformed: its delimiters cannot be read "
                             f"(component {component!r}, segment terminator {terminator!r})", 1)
    rep_field = text.split(el)[11] if text.count(el) > 11 else ""
    repetition = rep_field if len(rep_field) == 1 and not rep_field.isalnum() else None
    return Separators(el, component, terminator, repetition)


def tokenize(text: str) -> tuple[Separators, list[Segment]]:
    """Split an interchange into numbered segments. Raises X12SyntaxError on a missing or broken ISA.

    The splitting is the 837 reader's (``scrubber.readers.x12.segments.SegmentStream``), so
    eligibility files get the same handling of NUL / Ctrl-Z padding, line breaks, Latin-1 bytes
    and several interchanges each declaring its own delimiters; ``separators`` only checks the
    first ISA, to say in the eligibility reader's words what is wrong with it."""
    from scrubber.readers.x12.segments import SegmentStream

    text = text.lstrip("\ufeff \t\r\n")
    seps = separators(text)
    stream = SegmentStream([text.encode("utf-8", "surrogatepass")])
    out: list[Segment] = []
    for raw in stream:
        parts = tuple(raw.split(stream.delimiters.element))
        out.append(Segment(parts[0].strip(), parts, stream.count))
    if not out:
        unreadable = [msg for rule, msg, _ in stream.problems if rule == "X12-ISA"]
        raise X12SyntaxError(unreadable[0] if unreadable else "the interchange holds no segments", 1)
    return seps, out


def transactions(segments: list[Segment]) -> tuple[list[Transaction], list[tuple[str, int]]]:
    """Group segments into ST..SE transactions; problems are (message, segment number)."""
    out: list[Transaction] = []
    problems: list[tuple[str, int]] = []
    current: Optional[Transaction] = None
    version = ""
    for seg in segments:
        if seg.id == "GS":
            version = seg.el(8)
        elif seg.id == "ST":
            if current is not None:
                problems.append((f"ST at segment {current.start} has no SE before the next ST", seg.number))
                out.append(current)
            current = Transaction(seg.el(1), seg.el(3) or version, [seg], seg.number)
        elif seg.id == "SE":
            if current is None:
                problems.append(("SE without a matching ST", seg.number))
                continue
            current.segments.append(seg)
            out.append(current)
            current = None
        elif current is not None:
            current.segments.append(seg)
    if current is not None:
        problems.append((f"ST at segment {current.start} has no SE: the file is cut short", current.segments[-1].number))
        out.append(current)
    return out, problems
