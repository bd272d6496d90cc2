"""What the 999 and 277CA writers share: their own envelopes, control numbers, and the batch's
claims grouped the way the acknowledged files held them (interchange -> group -> transaction).

Both acknowledgements answer each acknowledged interchange with one interchange addressed back
to its sender (ISA06/ISA08 and GS02/GS03 swapped). Their own control numbers and the date come
from an ``AckStamp``: injectable, so a re-run with the same stamp gives byte-identical output
(tests), and by default the clock and a number derived from it. ISA13, GS06 and ST02 are unique
within one output file and each trailer repeats its header's number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Optional

from scrubber.model.envelope import X12Envelope

ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"
_UNSAFE = re.compile(r"[*:^~\r\n]")


_ASCII = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2265": ">=", "\u2264": "<="})


def clean(value: Optional[object], limit: Optional[int] = None) -> str:
    """An element value in plain ASCII (X12's character set) with our delimiters replaced (a value
    may not contain them): rule messages may hold dashes or accents; names may hold accents."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value).translate(_ASCII)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub(" ", text).strip()
    return text[:limit].rstrip() if limit else text


def segment(*elements: object) -> str:
    """One segment: empty trailing elements dropped, as X12 requires."""
    parts = [str(e) if e is not None else "" for e in elements]
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return ELEMENT.join(parts) + TERMINATOR


@dataclass
class AckStamp:
    """The acknowledgement's own date, time and first control number (injectable for tests)."""

    when: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    first_control: Optional[int] = None

    def __post_init__(self) -> None:
        if self.first_control is None:
            # Seconds since the start of the year: rises run after run, fits ISA13's nine digits.
            start = self.when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            self.first_control = int((self.when - start).total_seconds()) % 900_000_000 + 1
        self._next = self.first_control

    def next_control(self) -> int:
        n = self._next
        self._next += 1
        return n

    @property
    def d8(self) -> str:
        return self.when.strftime("%Y%m%d")

    @property
    def hhmm(self) -> str:
        return self.when.strftime("%H%M")


@dataclass
class Transaction:
    """One acknowledged ST..SE: its envelope and its claims, in file order."""

    envelope: X12Envelope
    claims: list = field(default_factory=list)

    @property
    def st_segment(self) -> Optional[int]:
        return self.envelope.st_segment


@dataclass
class Group:
    envelope: X12Envelope
    transactions: list[Transaction] = field(default_factory=list)
    errors: list = field(default_factory=list)  # rule ids of group-level run errors (GE count, GE02)
    ge01: Optional[int] = None  # GE01 as received, when it differs from the count (X12-GE01)


@dataclass
class Interchange:
    path: str
    envelope: X12Envelope
    groups: list[Group] = field(default_factory=list)


def _better(old: X12Envelope, new: X12Envelope) -> X12Envelope:
    """The fuller of two envelopes of one transaction (an unreadable claim knows only the numbers)."""
    return new if sum(v is not None for v in new.to_dict().values()) > sum(v is not None for v in old.to_dict().values()) else old


def _node(index: dict, key: tuple, env: X12Envelope, make: Callable[[], Any], siblings: Optional[list] = None):
    """The interchange, group or transaction at ``key``: made (and added to ``siblings``, its
    parent's list) on the first claim that names it; a later claim's fuller envelope replaces a
    thinner one (``_better``)."""
    node = index.get(key)
    if node is None:
        node = index[key] = make()
        if siblings is not None:
            siblings.append(node)
    else:
        node.envelope = _better(node.envelope, env)
    return node


def group_claims(claims: Iterable, errors: Iterable = ()) -> tuple[list[Interchange], list]:
    """The X12 claims of a result as interchanges / groups / transactions, and the claims that
    came from no X12 interchange (JSON claims: nothing to acknowledge in X12 terms)."""
    interchanges: dict[tuple, Interchange] = {}
    groups: dict[tuple, Group] = {}
    txs: dict[tuple, Transaction] = {}
    other = []
    for c in claims:
        env: Optional[X12Envelope] = c.envelope
        if env is None:
            other.append(c)
            continue
        ikey = (c.source_path, env.interchange_control)
        gkey = ikey + (env.group_control,)
        tkey = gkey + (env.transaction_control,)
        ich = _node(interchanges, ikey, env, partial(Interchange, c.source_path, env))
        grp = _node(groups, gkey, env, partial(Group, env), ich.groups)
        tx = _node(txs, tkey, env, partial(Transaction, env), grp.transactions)
        tx.claims.append(c)
    _attach_group_errors(list(interchanges.values()), errors)
    return list(interchanges.values()), other


_GE01_SAYS = re.compile(r"GE01 says '(\d+)'")  # the reader's X12-GE01 message (readers/x12/reader.py)


def rule_of(message: str) -> Optional[str]:
    """The structure rule id a RunError message starts with ("X12-GE01: ..."), or None."""
    head = message.split(":", 1)[0]
    return head if head.startswith("X12-") else None


def _attach_group_errors(interchanges: list[Interchange], errors: Iterable) -> None:
    """Each group-level run error goes to the group of its file whose first ST precedes it."""
    from scrubber.writers.ack_codes import GROUP_CODES

    for e in errors:
        rule = rule_of(e.message or "")
        if rule not in GROUP_CODES or e.segment is None:
            continue
        best = None
        for ich in interchanges:
            if ich.path != e.path:
                continue
            for grp in ich.groups:
                first = min((t.st_segment for t in grp.transactions if t.st_segment), default=None)
                if first is not None and first < e.segment and (best is None or first > best[0]):
                    best = (first, grp)
        if best is not None:
            best[1].errors.append(rule)
            said = _GE01_SAYS.search(e.message)
            if rule == "X12-GE01" and said:
                best[1].ge01 = int(said.group(1))


def isa(stamp: AckStamp, env: X12Envelope, control: int) -> str:
    """Our ISA, addressed back to the acknowledged interchange's sender (fixed width, 106 characters)."""
    return segment(
        "ISA", "00", " " * 10, "00", " " * 10,
        (env.receiver_qualifier or "ZZ")[:2].ljust(2), clean(env.receiver_id, 15).ljust(15),
        (env.sender_qualifier or "ZZ")[:2].ljust(2), clean(env.sender_id, 15).ljust(15),
        stamp.when.strftime("%y%m%d"), stamp.hhmm, REPETITION, "00501", f"{control:09d}", "0",
        env.usage if env.usage in ("P", "T") else "P", COMPONENT)


def gs(stamp: AckStamp, env: X12Envelope, functional_id: str, control: int, version: str) -> str:
    return segment("GS", functional_id, clean(env.application_receiver or env.receiver_id, 15) or "UNKNOWN",
                   clean(env.application_sender or env.sender_id, 15) or "UNKNOWN",
                   stamp.d8, stamp.hhmm, str(control), "X", version)


def wrap(stamp: AckStamp, interchanges: list[Interchange], functional_id: str, version: str,
         transaction_sets) -> Iterator[str]:
    """ISA / GS / (transaction sets) / GE / IEA per acknowledged interchange.

    ``transaction_sets(interchange, st_control)`` yields the segments of one or more transaction
    sets for it (each ST..SE) and returns how many it wrote."""
    for ich in interchanges:
        isa_no = stamp.next_control()
        gs_no = stamp.next_control()
        yield isa(stamp, ich.envelope, isa_no)
        yield gs(stamp, ich.envelope, functional_id, gs_no, version)
        counter = [0]

        def st_control() -> str:
            counter[0] += 1
            return f"{counter[0]:04d}"

        yield from transaction_sets(ich, st_control)
        yield segment("GE", counter[0], gs_no)
        yield segment("IEA", 1, f"{isa_no:09d}")


class SegmentCounter:
    """Collects one transaction set's segments and counts them for SE01."""

    def __init__(self) -> None:
        self.segments: list[str] = []

    def add(self, *elements: object) -> None:
        self.segments.append(segment(*elements))

    def close(self, control: str) -> list[str]:
        self.segments.append(segment("SE", len(self.segments) + 1, control))
        return self.segments
