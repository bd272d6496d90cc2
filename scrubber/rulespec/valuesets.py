"""Named value sets: code lists, ranges (``80047-80081``), prefixes (``E11.*``) and tables.

A value set file ``rules/valuesets/<name>.yaml``::

    id: lab-panels            # the name rules use: {op: in_set, value: lab-panels}
    title: ...
    source: ...               # where the codes come from, with edition
    codes:
      - "80047-80081"         # inclusive range of codes of the same length
      - "E11.*"               # prefix (dots are ignored: X12 codes carry none)
      - "99213"               # one code

A name with a colon (``icd10cm-chapter:15``) is *table-backed*: the part before the
colon names a provider registered with ``scrubber.fields.registry.valueset_provider``.
Membership is computed once per fact in Python; the engine only sees a boolean tag.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional


def normalize_code(code: str) -> str:
    return str(code).replace(".", "").strip().upper()


@dataclass
class ValueSet:
    name: str
    title: str = ""
    source: str = ""
    path: str = ""
    line: int = 0
    codes: frozenset = frozenset()
    ranges: tuple = ()  # ((lo, hi), ...) same length
    prefixes: tuple = ()
    provider: Optional[str] = None  # "prefix:argument" for table-backed sets
    _test: Optional[Callable[[str], bool]] = field(default=None, repr=False)
    _prefix_set: frozenset = field(default=frozenset(), repr=False)
    _prefix_lengths: tuple = field(default=(), repr=False)

    @classmethod
    def from_entries(cls, name: str, entries: list[str], **kw) -> tuple["ValueSet", list[tuple[int, str]]]:
        """Build from ``codes:`` entries; returns the set and (index, problem) for each bad entry."""
        codes, ranges, prefixes, problems = set(), [], [], []
        for i, raw in enumerate(entries):
            if not isinstance(raw, str):
                problems.append((i, f"code {raw!r} must be quoted text (write '{raw}'), so leading zeros survive"))
                continue
            entry = raw.strip()
            if entry.endswith("*"):
                p = normalize_code(entry[:-1])
                if not p:
                    problems.append((i, "a prefix needs at least one character before '*'"))
                else:
                    prefixes.append(p)
            elif "-" in entry:
                lo, _, hi = entry.partition("-")
                lo, hi = normalize_code(lo), normalize_code(hi)
                if not lo or not hi or len(lo) != len(hi) or lo > hi:
                    problems.append((i, f"range {entry!r} needs two codes of the same length, low-high (e.g. '80047-80081')"))
                else:
                    ranges.append((lo, hi))
            else:
                codes.add(normalize_code(entry))
        vs = cls(name=name, codes=frozenset(codes), ranges=tuple(sorted(ranges)), prefixes=tuple(sorted(prefixes)), **kw)
        vs._prefix_set = frozenset(prefixes)
        vs._prefix_lengths = tuple(sorted({len(p) for p in prefixes}))
        return vs, problems

    def bind(self, test: Callable[[str], bool]) -> None:
        self._test = test

    def contains(self, code) -> bool:
        """Whether ``code`` (with or without dots) is in the set."""
        if code is None:
            return False
        c = normalize_code(code)
        if self._test is not None:
            return bool(self._test(c))
        if c in self.codes:
            return True
        for lo, hi in self.ranges:
            if len(c) == len(lo) and lo <= c <= hi:
                return True
        for n in self._prefix_lengths:
            if c[:n] in self._prefix_set:
                return True
        return False
