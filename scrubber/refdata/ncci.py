"""Importers for CMS's NCCI procedure-to-procedure (PTP) and MUE files, in CMS's layouts.

PTP (practitioner and outpatient-hospital tables, ``.txt`` or the ``.zip``
CMS ships, which may hold the table in several parts): AMA notice lines, a
header whose first cell is ``Column 1``, then tab-separated rows ``Column 1``,
``Column 2``, ``*`` when the edit existed before 1996, effective date
``YYYYMMDD``, deletion date ``YYYYMMDD`` or ``*`` while active, modifier
indicator ``0``/``1``/``9``, rationale. Deleted edits stay in the file.

MUE (one CSV per setting: practitioner, outpatient hospital, DME supplier): a
quoted multi-line notice in the first cell, a header whose first cell holds a
line break (``HCPCS/\\nCPT Code``), then code, ``<setting> Services MUE
Values``, ``MUE Adjudication Indicator`` (``1 Line Edit``, ``2 Date of
Service Edit: Policy``, ``3 Date of Service Edit: Clinical``), rationale.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Iterable, Iterator, Optional

from scrubber.refdata.errors import RefDataError
from scrubber.refdata.guard import text_lines
from scrubber.refdata.store import Store, parse_edition_label, sha256_file, yyyymmdd

SETTINGS = ("practitioner", "hospital", "dme")
_PROC = re.compile(r"[A-Z0-9]{5}")
_CHUNK = 50_000


# ---- editions and settings from file names --------------------------------

def quarter_label(d: dt.date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def edition_from_name(name: str) -> Optional[tuple[str, dt.date]]:
    """The quarter a CMS file name says it is for.

    NCCI PTP files carry the NCCI version (``ccipra-v321r0-f1.txt``): version
    NN.Q is effective in year 1994+NN, quarter Q+1 (v32.0 = January 2026).
    Other names may carry ``2026Q1``, ``2026-01-01``, ``01-01-2026``,
    ``20260101`` or ``January-2026``."""
    m = re.search(r"v(\d{2})(\d)r\d", name, re.I)
    if m and int(m.group(2)) < 4:
        d = dt.date(1994 + int(m.group(1)), 3 * int(m.group(2)) + 1, 1)
        return quarter_label(d), d
    m = re.search(r"(20\d{2})[-_ ]?Q([1-4])", name, re.I)
    if m:
        d = dt.date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
        return quarter_label(d), d
    for pattern, order in ((r"(20\d{2})[-_](\d{2})[-_](\d{2})", "ymd"), (r"(\d{2})[-_](\d{2})[-_](20\d{2})", "mdy"),
                           (r"(20\d{2})(\d{2})(\d{2})", "ymd")):
        m = re.search(pattern, name)
        if m:
            a, b, c = (int(x) for x in m.groups())
            try:
                d = dt.date(a, b, c) if order == "ymd" else dt.date(c, a, b)
            except ValueError:
                continue
            return quarter_label(d), d
    m = re.search(r"(January|April|July|October)[-_ ]?(20\d{2})", name, re.I)
    if m:
        d = parse_edition_label(f"{m.group(1)}-{m.group(2)}")
        if d:
            return quarter_label(d), d
    return None


def resolve_edition(path: Path, edition: Optional[str]) -> tuple[str, dt.date]:
    if edition:
        eff = parse_edition_label(edition)
        if eff is None:
            raise RefDataError(f"cannot read an effective date from --edition {edition!r}; write 2026Q1 or 2026-01-01",
                               str(path))
        return edition, eff
    guess = edition_from_name(path.name)
    if guess is None:
        raise RefDataError("cannot tell the quarter from the file name; pass --edition (e.g. 2026Q1)", str(path))
    return guess


def setting_from_name(name: str) -> Optional[str]:
    n = name.lower()
    if re.search(r"dme", n):
        return "dme"
    if re.search(r"hosp|oph|outpatient|ccioph|opps", n):
        return "hospital"
    if re.search(r"pra|practitioner|phys", n):
        return "practitioner"
    return None


# ---- PTP --------------------------------------------------------------------

def _ptp_text_parts(path: Path) -> Iterator[tuple[str, Iterable[str]]]:
    """(display name, lines) for the .txt file or each .txt member of the .zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = sorted(n for n in zf.namelist() if n.lower().endswith(".txt") and not n.endswith("/"))
            if not members:
                raise RefDataError("the zip holds no .txt PTP table", str(path))
            for name in members:
                with zf.open(name) as raw:
                    display = f"{path}!{name}"
                    yield display, text_lines(display, io.TextIOWrapper(raw, encoding="latin-1", newline=""), "ncci-ptp")
        return
    with open(path, encoding="latin-1", newline="") as f:
        yield str(path), text_lines(str(path), f, "ncci-ptp")


def parse_ptp_rows(display: str, lines: Iterable[str]) -> Iterator[tuple[str, str, int, int, Optional[int], int, str]]:
    """Yield (col1, col2, prior_1996, effective, deleted, modifier, rationale) rows."""
    in_table = False
    rows = 0
    dates: dict[str, int] = {}  # a table uses a few thousand distinct dates: check each once

    def day(text: str) -> int:
        v = dates.get(text)
        if v is None:
            v = dates[text] = yyyymmdd(text)
        return v

    comma = False  # the table saved from CMS's Excel workbook as CSV has the same columns
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if comma:
            cells = next(csv.reader([line]), [""])
        else:
            cells = line.split("\t")
        first = cells[0].strip().strip('"')
        if not in_table:
            if "\t" not in line and line.strip('"').lower().startswith("column 1,"):
                in_table = comma = True
            elif first.lower().startswith("column 1"):
                in_table = True
            continue
        if not line.strip():
            continue
        if not _PROC.fullmatch(first):
            if rows == 0 and len(cells) <= 7 and not any(_PROC.fullmatch(c.strip()) for c in cells[:2]):
                continue  # the second line of a two-line header
            raise RefDataError(f"column 1 {first!r} is not a 5-character HCPCS/CPT code", display, lineno)
        if len(cells) < 6:
            raise RefDataError(f"expected 7 tab-separated columns, found {len(cells)}", display, lineno)
        col2 = cells[1].strip()
        if not _PROC.fullmatch(col2):
            raise RefDataError(f"column 2 {col2!r} is not a 5-character HCPCS/CPT code", display, lineno)
        prior = cells[2].strip()
        try:
            eff = day(cells[3].strip())
        except ValueError:
            raise RefDataError(f"effective date {cells[3].strip()!r} is not YYYYMMDD", display, lineno) from None
        del_text = cells[4].strip()
        deleted: Optional[int] = None
        if del_text != "*":
            try:
                deleted = day(del_text)
            except ValueError:
                raise RefDataError(f"deletion date {del_text!r} is neither YYYYMMDD nor *", display, lineno) from None
        mod = cells[5].strip()
        if mod not in ("0", "1", "9"):
            raise RefDataError(f"modifier indicator {mod!r} is not 0, 1 or 9", display, lineno)
        rationale = cells[6].strip() if len(cells) > 6 else ""
        rows += 1
        yield first, col2, int(prior == "*"), eff, deleted, int(mod), rationale
    if not in_table:
        raise RefDataError("no header row starting with 'Column 1': not a CMS NCCI PTP table", display)


def import_ptp(store: Store, path: Path, edition: Optional[str] = None,
               setting: Optional[str] = None) -> tuple[str, str, int, bool]:
    """Import one PTP file (txt or zip). Returns (edition, setting, rows, imported?)."""
    sha = sha256_file(path)
    known = store.source_known(sha, "ncci-ptp")
    if known:
        return known.edition, known.setting, known.rows, False
    setting = setting or setting_from_name(path.name)
    if setting not in ("practitioner", "hospital"):
        raise RefDataError("cannot tell practitioner from hospital edits by the file name; pass --setting", str(path))
    label, eff = resolve_edition(path, edition)
    total = 0
    with store.transaction() as conn:
        again = store.source_known(sha, "ncci-ptp")
        if again:
            return again.edition, again.setting, again.rows, False
        eid = store.begin_edition(conn, "ncci-ptp", setting, label, eff, replace=False)
        # bulk load without the index and rebuild it once: SQLite builds an index
        # from sorted keys far faster than it maintains one row by row
        conn.execute("DROP INDEX IF EXISTS ptp_pair")
        rationale_ids: dict[str, int] = {
            text: rid for rid, text in conn.execute("SELECT id, text FROM ptp_rationale")
        }
        for display, lines in _ptp_text_parts(path):
            batch: list[tuple] = []
            for col1, col2, prior, eff_d, deleted, mod, rationale in parse_ptp_rows(display, lines):
                rid = rationale_ids.get(rationale)
                if rid is None:
                    rid = int(conn.execute("INSERT INTO ptp_rationale (text) VALUES (?)", (rationale,)).lastrowid)
                    rationale_ids[rationale] = rid
                batch.append((eid, col1, col2, prior, eff_d, deleted, mod, rid))
                if len(batch) >= _CHUNK:
                    conn.executemany("INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
                    total += len(batch)
                    batch = []
            conn.executemany("INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
            total += len(batch)
        if total == 0:
            raise RefDataError("the PTP table has no rows", str(path))
        conn.execute("CREATE INDEX ptp_pair ON ptp (edition_id, col1, col2)")
        store.finish_edition(conn, eid, sha, path.name, total)
    return label, setting, total, True


# ---- MUE --------------------------------------------------------------------

_MUE_SETTING = {
    "practitioner": "practitioner",
    "outpatient hospital": "hospital",
    "facility outpatient hospital": "hospital",
    "dme supplier": "dme",
    "dme": "dme",
}


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_mue(path: Path) -> tuple[str, list[tuple[str, int, int, str]]]:
    """(setting, rows of (code, value, mai, rationale))."""
    reader = csv.reader(text_lines(str(path), io.StringIO(_read_text(path), newline=""), "mue"))
    setting: Optional[str] = None
    rows: list[tuple[str, int, int, str]] = []
    seen: set[str] = set()
    for cells in reader:
        lineno = reader.line_num
        if not cells or not any(c.strip() for c in cells):
            continue
        first = " ".join(cells[0].split())
        if setting is None:
            if first.upper().startswith("HCPCS/") and len(cells) >= 3:
                m = re.match(r"(.+?) Services MUE Values", " ".join(cells[1].split()), re.I)
                if not m or m.group(1).lower() not in _MUE_SETTING:
                    raise RefDataError(f"second header cell {cells[1]!r} is not '<setting> Services MUE Values'",
                                       str(path), lineno)
                setting = _MUE_SETTING[m.group(1).lower()]
            continue  # the notice cell(s) before the header
        code = first
        if not _PROC.fullmatch(code):
            raise RefDataError(f"{code!r} is not a 5-character HCPCS/CPT code", str(path), lineno)
        if len(cells) < 3:
            raise RefDataError(f"expected 4 columns, found {len(cells)}", str(path), lineno)
        value_text = cells[1].strip()
        if not (value_text.isascii() and value_text.isdigit()):
            raise RefDataError(f"MUE value {value_text!r} is not a whole number", str(path), lineno)
        mai = parse_mai(cells[2])
        if mai is None:
            raise RefDataError(
                f"MUE adjudication indicator {cells[2]!r} is not '1 Line Edit', '2 Date of Service Edit: Policy' "
                "or '3 Date of Service Edit: Clinical'", str(path), lineno)
        if code in seen:
            raise RefDataError(f"{code} appears twice", str(path), lineno)
        seen.add(code)
        rows.append((code, int(value_text), mai, " ".join(cells[3].split()) if len(cells) > 3 else ""))
    if setting is None:
        raise RefDataError("no header row whose first cell starts with 'HCPCS/': not a CMS MUE table", str(path))
    if not rows:
        raise RefDataError("the MUE table has no rows", str(path))
    return setting, rows


def parse_mai(text: str) -> Optional[int]:
    """``1 Line Edit`` -> 1, ``2 Date of Service Edit: Policy`` -> 2, ``3 Date of Service Edit: Clinical`` -> 3."""
    m = re.match(r"\s*([123])\b", text)
    return int(m.group(1)) if m else None


def import_mue(store: Store, path: Path, edition: Optional[str] = None) -> tuple[str, str, int, bool]:
    sha = sha256_file(path)
    known = store.source_known(sha, "mue")
    if known:
        return known.edition, known.setting, known.rows, False
    setting, rows = parse_mue(path)
    label, eff = resolve_edition(path, edition)
    with store.transaction() as conn:
        again = store.source_known(sha, "mue")
        if again:
            return again.edition, again.setting, again.rows, False
        eid = store.begin_edition(conn, "mue", setting, label, eff, replace=True)
        conn.executemany("INSERT INTO mue VALUES (?, ?, ?, ?, ?)", ((eid, *r) for r in rows))
        store.finish_edition(conn, eid, sha, path.name, len(rows))
    return label, setting, len(rows), True
