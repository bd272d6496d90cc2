"""Element values -> model values (Decimal, date), each check a located structure finding.

A ``Collector`` gathers the findings of one loop or claim while its segments are read.
``LazyLocs``, ``FieldLocs`` and ``MaskedLocs`` keep ``locs`` cheap: a claim has dozens of
located values, so the reader stores segment numbers and builds ``Loc`` objects only when
one is looked at.
"""
from __future__ import annotations

import re
from collections.abc import ItemsView, KeysView, Mapping, ValuesView
from datetime import date
from decimal import Decimal
from typing import Iterator, Optional

from scrubber.model import Finding, Loc
from scrubber.readers.x12.rules import finding

try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython

# What an X12 R value may be; _is_plain_number is the fast equivalent (tests compare the two).
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z")


# Compiled, these are extension types (cclass; their fields are declared in values.pxd). A
# locs object holds only strings, ints and tables of them, so it can never be part of a
# reference cycle: no_gc spares the cycle collector the dozen built per claim.
@cython.no_gc
@cython.cclass
class _Locs:
    """The read-only ``Mapping`` methods of the three ``locs`` classes below, on their
    ``__getitem__``, ``__iter__`` and ``__len__``.

    Not a ``collections.abc.Mapping`` subclass but registered as one (``isinstance`` holds):
    that lets the compiled reader make these C extension types (values.pxd), which it builds
    and frees a dozen times per claim at a fraction of a Python class instance's cost; the
    pure-Python reader uses the same classes, so both behave alike.
    """

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # unhashable, like every Mapping

    def keys(self) -> KeysView:
        return KeysView(self)  # type: ignore[arg-type]

    def items(self) -> ItemsView:
        return ItemsView(self)  # type: ignore[arg-type]

    def values(self) -> ValuesView:
        return ValuesView(self)  # type: ignore[arg-type]

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.items()) == dict(other.items())

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


@cython.final
@cython.no_gc
@cython.cclass
class LazyLocs(_Locs):
    """``locs`` mapping field name -> Loc, built on access from ``(path, segment)`` pairs.

    ``prefix`` is prepended to every path (``2400[2]/`` + ``SV101-2``), so a reader can
    use constant suffixes and never concatenate strings for values nobody looks at; a
    path starting ``../`` is outside the prefix loop (``../2000A/PRV03``) and kept as is.
    """

    __slots__ = ("_pairs", "_prefix")

    def __init__(self, pairs: dict[str, tuple[str, Optional[int]]], prefix: str = ""):
        self._pairs = pairs
        self._prefix = prefix

    def __getitem__(self, key: str) -> Loc:
        path, segment = self._pairs[key]
        if path.startswith("../"):
            return Loc(path[3:], segment)
        return Loc(self._prefix + path, segment)

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __contains__(self, key: object) -> bool:
        return key in self._pairs

    def __reduce__(self):
        return (LazyLocs, (self._pairs, self._prefix))


@cython.final
@cython.no_gc
@cython.cclass
class FieldLocs(_Locs):
    """``locs`` for objects whose fields always sit at the same elements of a few segments.

    ``table`` (shared, static) maps field -> (path suffix, index into ``segments``);
    ``segments`` holds this object's segment numbers (None where that segment is absent,
    and then its fields have no location). One small object per service line or
    diagnosis instead of a dict of pairs: the reader builds thousands per second.
    """

    __slots__ = ("_table", "_segments", "_prefix")

    def __init__(self, table: dict[str, tuple[str, int]], segments: tuple, prefix: str):
        self._table = table
        self._segments = segments
        self._prefix = prefix

    def __getitem__(self, key: str) -> Loc:
        suffix, i = self._table[key]
        segment = self._segments[i]
        if segment is None:
            raise KeyError(key)
        return Loc(self._prefix + suffix, segment)

    def __iter__(self) -> Iterator[str]:
        segs = self._segments
        return iter([k for k, (_, i) in self._table.items() if segs[i] is not None])

    def __len__(self) -> int:
        segs = self._segments
        return sum(1 for _, i in self._table.values() if segs[i] is not None)

    def __contains__(self, key: object) -> bool:
        hit = self._table.get(key)  # type: ignore[arg-type]
        return hit is not None and self._segments[hit[1]] is not None

    def __reduce__(self):
        return (FieldLocs, (self._table, self._segments, self._prefix))


@cython.final
@cython.no_gc
@cython.cclass
class MaskedLocs(_Locs):
    """``locs`` of a name loop (NM1 with N3, N4, DMG, PRV, REF) or an other payer (2320).

    Which fields such an object has located depends on what the loop holds (NM104 only when
    there is a first name; DMG02 only with a DMG), so the reader says it with ``mask``, a
    small int with one bit per condition: ints below 256 are shared by CPython, so the mask
    costs no allocation, and one static ``table`` per kind of object serves every object.
    A table maps field -> alternatives ``((bit, path, index), ...)``: the field is located by
    the first alternative whose bit is set in ``mask`` (the tax id is in NM109 or in REF02),
    in segment ``segments[index]``; with no bit set the field is absent. ``path`` starting
    with ``/`` is inside the loop (``prefix + path``: ``2010BA`` + ``/NM103``); any other path
    is outside it and used as is (``2000A/PRV03``, ``2000B/SBR02``). So an object costs this
    small one and the tuple of its distinct segment numbers: no dict, no pair per field and
    no path string until a location is looked at.
    """

    __slots__ = ("_table", "_segments", "_prefix", "_mask")

    def __init__(self, table: dict[str, tuple], segments: tuple, prefix: str, mask: int):
        self._table = table
        self._segments = segments
        self._prefix = prefix
        self._mask = mask

    def __getitem__(self, key: str) -> Loc:
        mask = self._mask
        for bit, path, i in self._table[key]:
            if mask & bit:
                return Loc(self._prefix + path if path[:1] == "/" else path, self._segments[i])
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        mask = self._mask
        return iter([k for k, alts in self._table.items() if any(mask & a[0] for a in alts)])

    def __len__(self) -> int:
        mask = self._mask
        return sum(1 for alts in self._table.values() if any(mask & a[0] for a in alts))

    def __contains__(self, key: object) -> bool:
        alts = self._table.get(key)  # type: ignore[arg-type]
        mask = self._mask
        return alts is not None and any(mask & a[0] for a in alts)

    def __reduce__(self):
        return (MaskedLocs, (self._table, self._segments, self._prefix, self._mask))


for _cls in (LazyLocs, FieldLocs, MaskedLocs):
    Mapping.register(_cls)


def loc_table(*rows: tuple[str, int, str, int]) -> dict[str, tuple]:
    """A ``MaskedLocs`` table from ``(field, bit, path, index)`` rows, in iteration order; rows
    of the same field are its alternatives, tried in the order given."""
    table: dict[str, tuple] = {}
    for field_name, bit, path, index in rows:
        if not 0 < bit < 256:
            raise ValueError(f"{field_name}: bit {bit} is not a small int (1..255)")
        table[field_name] = table.get(field_name, ()) + ((bit, path, index),)
    return table


# The builders: no class call (no __init__ through the type's call slot). Compiled, each is
# one C allocation and three or four stores into the extension type's fields (values.pxd).
def lazy_locs(pairs: dict[str, tuple[str, Optional[int]]], prefix: str = "") -> LazyLocs:
    """``LazyLocs(pairs, prefix)``: a claim has one."""
    o = LazyLocs.__new__(LazyLocs)
    o._pairs = pairs
    o._prefix = prefix
    return o


def field_locs(table: dict[str, tuple[str, int]], segments: tuple, prefix: str) -> FieldLocs:
    """``FieldLocs(table, segments, prefix)``: one per service line and diagnosis."""
    o = FieldLocs.__new__(FieldLocs)
    o._table = table
    o._segments = segments
    o._prefix = prefix
    return o


def masked_locs(table: dict[str, tuple], segments: tuple, prefix: str, mask: int) -> MaskedLocs:
    """``MaskedLocs(table, segments, prefix, mask)``: one per name loop and other payer."""
    o = MaskedLocs.__new__(MaskedLocs)
    o._table = table
    o._segments = segments
    o._prefix = prefix
    o._mask = mask
    return o


def _d8(text: str) -> Optional[date]:
    if len(text) != 8:
        return None
    if cython.compiled:
        # Eight ASCII digits to a number in a C loop (no int() of a new string).
        n = 0
        for i in range(8):
            c = text[i]
            if c < "0" or c > "9":
                return None
            n = n * 10 + (ord(c) - 48)
    else:
        if not (text.isascii() and text.isdigit()):
            return None
        n = int(text)  # a digit int() rejects (isdigit's superscripts) is a ValueError below
    try:
        return date(n // 10000, n // 100 % 100, n % 100)
    except ValueError:
        return None


def _is_plain_number(text: str) -> bool:
    """``-?(?:\\d+\\.?\\d*|\\.\\d+)\\Z``, without the regex engine (about 4x faster): an
    optional minus, digits with an optional decimal point, at least one digit. ``isdecimal``
    is exactly the regex's ``\\d`` (Unicode category Nd)."""
    if cython.compiled:
        # The ASCII case in one C loop; any other character takes the general test below.
        n = len(text)
        i = 1 if n and text[0] == "-" else 0
        digits = dots = 0
        ascii_only = True
        while i < n:
            c = text[i]
            if "0" <= c <= "9":
                digits += 1
            elif c == ".":
                dots += 1
                if dots > 1:
                    return False
            elif c < "\x80":
                return False
            else:
                ascii_only = False
                break
            i += 1
        if ascii_only:
            return digits > 0
    if text[:1] == "-":
        text = text[1:]
    # At most one decimal point; the rest digits, at least one of them.
    return text.replace(".", "", 1).isdecimal()


def _amount(text: str) -> Optional[Decimal]:
    if not _is_plain_number(text):
        return None
    return Decimal(text)


# Parsed values by text. Dates and unit counts repeat a lot; a plain dict emptied when full
# costs less per call than functools.lru_cache's bookkeeping.
_MISS = object()
_CACHE_SIZE = 8192
_D8_CACHE: dict = {}
_AMOUNT_CACHE: dict = {}


def parse_d8(text: str) -> Optional[date]:
    """CCYYMMDD -> date, None when it is not a real calendar date (cached: dates repeat)."""
    value = _D8_CACHE.get(text, _MISS)
    if value is _MISS:
        value = _d8(text)
        if len(_D8_CACHE) >= _CACHE_SIZE:
            _D8_CACHE.clear()
        _D8_CACHE[text] = value
    return value


def parse_amount(text: str) -> Optional[Decimal]:
    """An X12 R (decimal) value -> Decimal; None when it is not a plain decimal number."""
    if len(text) > 3:  # charges are mostly one-offs: caching them costs more than it saves
        return _amount(text)
    value = _AMOUNT_CACHE.get(text, _MISS)  # unit counts ("1", "2") repeat
    if value is _MISS:
        value = _amount(text)
        if len(_AMOUNT_CACHE) >= _CACHE_SIZE:
            _AMOUNT_CACHE.clear()
        _AMOUNT_CACHE[text] = value
    return value


def element(els: list[str], i: int) -> Optional[str]:
    """Element ``i`` (1-based) of a split segment, None when absent or empty."""
    if i < len(els):
        v = els[i]
        if v:
            return v
    return None


def _element_name(path: str) -> str:
    """``2400[2]/SV102`` -> ``SV102``: the location is shown beside the message already."""
    return path.rsplit("/", 1)[-1]


class Collector:
    """Findings of one loop or claim, and the typed-value helpers that produce them."""

    __slots__ = ("findings", "line")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.line: Optional[int] = None

    def add(self, rule_id: str, message: str, path: Optional[str], segment: Optional[int], codes: tuple[str, ...] = ()) -> None:
        self.findings.append(finding(rule_id, message, path, segment, self.line, codes))

    def amount(self, text: Optional[str], path: str, segment: int) -> Optional[Decimal]:
        if text is None:
            return None
        value = parse_amount(text)
        if value is None:
            self.add("X12-AMOUNT", f"{_element_name(path)} {text[:40]!r} is not a number", path, segment)
        return value

    def date_value(self, fmt: Optional[str], text: Optional[str], path: str, segment: int) -> tuple[Optional[date], Optional[date]]:
        """A DTP-style date (D8, RD8, DT) -> (from, to); an impossible date is a finding."""
        if text is None:
            return None, None
        if fmt == "RD8":
            a, sep, b = text.partition("-")
            start, end = parse_d8(a), parse_d8(b)
            if start is None or end is None or not sep:
                self.add("X12-DATE", f"{_element_name(path)} {text[:40]!r} is not a valid date range (CCYYMMDD-CCYYMMDD)", path, segment)
                return start, end
            return start, end
        if fmt == "DT":
            d = parse_d8(text[:8]) if len(text) in (12, 14) and text.isascii() and text.isdigit() else None
        elif fmt in ("D8", None):
            d = parse_d8(text)
        else:
            return None, None  # TM and other formats carry no calendar date
        if d is None:
            self.add("X12-DATE", f"{_element_name(path)} {text[:40]!r} is not a valid date ({fmt or 'D8'}: CCYYMMDD)", path, segment)
        return d, d

    def required(self, els: list[str], indexes: tuple[int, ...], loop: str, segment: int) -> None:
        """A finding per required element of this segment that is absent or empty."""
        n = len(els)
        for i in indexes:
            if i >= n or not els[i]:
                path = f"{loop}/{els[0]}{i:02d}"
                self.add("X12-REQ-ELEM", f"required element {els[0][:3]}{i:02d} is missing", path, segment)
