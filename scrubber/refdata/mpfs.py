"""Importer for CMS's Medicare Physician Fee Schedule national relative value file (PPRRVU).

CMS publishes it quarterly in ``RVUyyA.zip`` .. ``RVUyyD.zip`` (January, April, July, October;
``RVUyyAR`` is a correction), on the "PFS Relative Value Files" page. The zip holds the record
layout ``RVUyyA`` (Word), the file ``PPRRVUyy_JAN`` (2026 on: ``PPRRVU2026_Jan_nonQPP`` and
``..._QPP``) as ``.txt``, ``.xls`` and ``.csv``, and the GPCI, locality, anesthesia and OPPS-cap
files, which claimscrub does not need. The importer takes the ``.csv``, the ``.txt`` or the zip.

What claimscrub keeps of each record (the layout document's names and, for the ``.txt``, its
1-based positions): HCPCS 1-5, Modifier 6-7, Status Code 58, Global Surgery 104-106, Multiple
Procedure (modifier 51) 116, Bilateral Surgery (modifier 50) 117, Assistant at Surgery
(modifiers 80/82) 118, Co-Surgeons (modifier 62) 119, Team Surgery (modifier 66) 120. The
``.csv`` has the same columns under a header split over stacked rows (``GLOB`` over ``DAYS``,
``BILAT`` over ``SURG`` ...) below the release title and the AMA / ADA notices; its columns are
found by those joined names, so a column CMS inserts (2026's ``PRIC IND``) moves nothing.

The layout's values, which every field is checked against (a record outside them refuses the
whole file with file:line, and nothing of it is stored):

- global surgery: ``000`` endoscopic or minor procedure, E/M on the day generally not payable;
  ``010`` minor procedure with a 10-day postoperative period; ``090`` major surgery, 1-day
  preoperative and 90-day postoperative period; ``MMM`` maternity; ``XXX`` the global concept
  does not apply; ``YYY`` the contractor decides; ``ZZZ`` within the global period of another
  service;
- bilateral surgery 0 (150% adjustment does not apply: unilateral by anatomy or descriptor),
  1 (150% applies), 2 (RVUs already bilateral), 3 (each side at 100%, mostly radiology), 9 (the
  concept does not apply);
- assistant at surgery 0 (paid only with documentation of medical necessity), 1 (statutory
  restriction: not paid), 2 (may be paid), 9; co-surgeons 0 (not permitted), 1 (with
  documentation), 2 (permitted), 9; team surgery 0 (not permitted), 1 (with documentation),
  2 (permitted), 9.

CPT descriptions are the AMA's: the description column is never stored.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple, Optional

from scrubber.refdata.errors import RefDataError
from scrubber.refdata.ncci import quarter_label
from scrubber.refdata.store import Store, parse_edition_label, sha256_file

KIND = "mpfs"
MAX_BYTES = 256 * 1024 * 1024  # CMS's zip is ~10 MB, the csv ~5 MB: anything this size is not the file
MAX_ROWS = 200_000  # the 2026 file has about 19,000 records

GLOBAL_DAYS = ("000", "010", "090", "MMM", "XXX", "YYY", "ZZZ")
_ALLOWED = {
    "mult_proc": "0123456789",
    "bilat_surg": "01239",
    "asst_surg": "0129",
    "co_surg": "0129",
    "team_surg": "0129",
}
# joined CSV header name -> field; the .txt positions (0-based slices) of the same fields
_CSV_NAMES = {"status": "STATUS CODE", "glob_days": "GLOB DAYS", "mult_proc": "MULT PROC",
              "bilat_surg": "BILAT SURG", "asst_surg": "ASST SURG", "co_surg": "CO-SURG", "team_surg": "TEAM SURG"}
_TXT_SLICES = {"status": (57, 58), "glob_days": (103, 106), "mult_proc": (115, 116), "bilat_surg": (116, 117),
               "asst_surg": (117, 118), "co_surg": (118, 119), "team_surg": (119, 120)}
_CODE = re.compile(r"[A-Z0-9]{5}")
_MOD = re.compile(r"[A-Z0-9]{2}")
_MONTH = {"JAN": 1, "JANUARY": 1, "APR": 4, "APRIL": 4, "JUL": 7, "JULY": 7, "OCT": 10, "OCTOBER": 10}
_RELEASE = {"A": 1, "B": 4, "C": 7, "D": 10}


class MpfsRow(NamedTuple):
    code: str
    modifier: str  # "" for the global service, 26 / TC / 53 for the component rows
    status: str
    glob_days: str
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str


# ---- editions from names and titles ------------------------------------------------------------

def edition_from_text(text: str) -> Optional[dt.date]:
    """The release a file name or the CSV's title row names: ``RVU26A`` / ``RVU26AR`` (A-D = January,
    April, July, October), ``PPRRVU26_JAN``, ``PPRRVU2026_Jan_nonQPP``, or a title such as
    "2026 National Physician Fee Schedule Relative Value File January Release"."""
    m = re.search(r"PPRRVU(\d{4}|\d{2})[_ -]?(JAN|APR|JUL|OCT)", text, re.I)
    if m:
        year = int(m.group(1)) if len(m.group(1)) == 4 else 2000 + int(m.group(1))
        return dt.date(year, _MONTH[m.group(2).upper()], 1)
    m = re.search(r"RVU(\d{2})([A-D])R?(?![A-Za-z])", text, re.I)
    if m:
        return dt.date(2000 + int(m.group(1)), _RELEASE[m.group(2).upper()], 1)
    m = re.search(r"(20\d{2}) National Physician Fee Schedule Relative Value File (January|April|July|October)",
                  text, re.I)
    if m:
        return dt.date(int(m.group(1)), _MONTH[m.group(2).upper()], 1)
    return None


# ---- reading ----------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check(display: str, lineno: int, code: str, mod: str, fields: dict[str, str]) -> MpfsRow:
    """One record, every kept field checked against the layout's values."""
    if not _CODE.fullmatch(code):
        raise RefDataError(f"HCPCS {code!r} is not a 5-character CPT/HCPCS code", display, lineno)
    if mod and not _MOD.fullmatch(mod):
        raise RefDataError(f"modifier {mod!r} of {code} is not blank or 2 characters", display, lineno)
    status = fields["status"]
    if not re.fullmatch(r"[A-Z]", status):
        raise RefDataError(f"status code {status!r} of {code} is not one letter (A, B, C ... X)", display, lineno)
    glob = fields["glob_days"]
    if glob not in GLOBAL_DAYS:
        hint = " (a spreadsheet that dropped the leading zeros? import CMS's .csv as downloaded)" \
            if glob.isdigit() and glob.zfill(3) in GLOBAL_DAYS else ""
        raise RefDataError(f"global surgery {glob!r} of {code} is not one of {', '.join(GLOBAL_DAYS)}{hint}",
                           display, lineno)
    for name, allowed in _ALLOWED.items():
        v = fields[name]
        if len(v) != 1 or v not in allowed:
            label = _CSV_NAMES[name]
            raise RefDataError(f"{label} indicator {v!r} of {code} is not one of {', '.join(allowed)}",
                               display, lineno)
    return MpfsRow(code, mod, status, glob, fields["mult_proc"], fields["bilat_surg"], fields["asst_surg"],
                   fields["co_surg"], fields["team_surg"])


def _norm(name: str) -> str:
    name = " ".join(name.upper().split())
    return re.sub(r"-\s+", "-", name)  # "CO-" over "SURG" -> "CO-SURG"


def parse_csv(display: str, text: str) -> tuple[list[MpfsRow], Optional[dt.date]]:
    """(rows, release date from the title row) of the PPRRVU ``.csv``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    above: list[list[str]] = []  # the rows before the header: title, notices, upper header rows
    columns: Optional[dict[str, int]] = None
    title_date: Optional[dt.date] = None
    rows: list[MpfsRow] = []
    for cells in reader:
        lineno = reader.line_num
        if columns is None:
            if cells and cells[0].strip().upper() == "HCPCS":
                columns = _columns(display, lineno, cells, above[-3:])
            else:
                above.append(cells)
                title_date = title_date or edition_from_text(" ".join(cells))
                if len(above) > 50:
                    raise RefDataError("no header row starting with 'HCPCS' in the first 50 rows: "
                                       "not CMS's PPRRVU file", display)
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) <= max(columns.values()):
            raise RefDataError(f"{len(cells)} columns; the header has {max(columns.values()) + 1} or more",
                               display, lineno)
        fields = {name: cells[i].strip().upper() for name, i in columns.items()}
        rows.append(_check(display, lineno, cells[0].strip().upper(), cells[1].strip().upper(), fields))
        if len(rows) > MAX_ROWS:
            raise RefDataError(f"more than {MAX_ROWS} records: not CMS's PPRRVU file", display, lineno)
    if columns is None:
        raise RefDataError("no header row starting with 'HCPCS': not CMS's PPRRVU file", display)
    return rows, title_date


def _columns(display: str, lineno: int, header: list[str], above: list[list[str]]) -> dict[str, int]:
    """Field -> column index, by the header cells joined with the cells stacked above them."""
    if len(header) < 2 or header[1].strip().upper() != "MOD":
        raise RefDataError("the header's second column is not MOD: not CMS's PPRRVU layout", display, lineno)
    joined = []
    for i, cell in enumerate(header):
        parts = [row[i] for row in above if i < len(row) and row[i].strip()]
        joined.append(_norm(" ".join([*parts, cell])))
    found: dict[str, int] = {}
    for field, name in _CSV_NAMES.items():
        hits = [i for i, j in enumerate(joined) if j == name or j.endswith(" " + name)]
        if not hits:
            raise RefDataError(f"no {name} column in the header (PPRRVU stacks e.g. 'GLOB' over 'DAYS')",
                               display, lineno)
        found[field] = hits[0]
    return found


def parse_txt(display: str, lines: Iterable[str]) -> list[MpfsRow]:
    """Rows of the fixed-width PPRRVU ``.txt`` (positions of the RVUyyA record layout)."""
    rows: list[MpfsRow] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("HDR"):
            continue
        if len(line) < 120:
            raise RefDataError(f"record is {len(line)} characters; the PPRRVU layout needs 120 (team surgery "
                               "indicator in position 120)", display, lineno)
        fields = {name: line[a:b].strip().upper() for name, (a, b) in _TXT_SLICES.items()}
        rows.append(_check(display, lineno, line[0:5].strip().upper(), line[5:7].strip().upper(), fields))
        if len(rows) > MAX_ROWS:
            raise RefDataError(f"more than {MAX_ROWS} records: not CMS's PPRRVU file", display, lineno)
    return rows


def _member(zf: zipfile.ZipFile, path: Path) -> str:
    """The PPRRVU member of CMS's RVU zip: the .csv (nonQPP first: 2026 ships both, with the same
    indicators), else the .txt."""
    names = [n for n in zf.namelist() if re.match(r"(.*/)?PPRRVU", n, re.I) and not n.endswith("/")]
    for pattern in (r"nonqpp.*\.csv$", r"\.csv$", r"nonqpp.*\.txt$", r"\.txt$"):
        hits = sorted(n for n in names if re.search(pattern, n, re.I))
        if hits:
            return hits[0]
    raise RefDataError("the zip holds no PPRRVU .csv or .txt file (CMS's RVUyyA.zip does)", str(path))


def parse_mpfs(path: Path) -> tuple[list[MpfsRow], Optional[dt.date]]:
    """(rows, release date the file names) of a PPRRVU .csv / .txt or CMS's RVU zip."""
    if path.stat().st_size > MAX_BYTES:
        raise RefDataError(f"{path.stat().st_size} bytes: larger than any CMS PPRRVU file", str(path))
    named = edition_from_text(path.name)
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                member = _member(zf, path)
                info = zf.getinfo(member)
                if info.file_size > MAX_BYTES:
                    raise RefDataError(f"{member} unpacks to {info.file_size} bytes: larger than any PPRRVU file",
                                       str(path))
                data = zf.read(member)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as e:  # truncated or corrupt download
            raise RefDataError(f"the zip cannot be read ({e}): download it again", str(path)) from None
        display, name = f"{path}!{member}", member
        named = named or edition_from_text(Path(member).name)
    else:
        data, display, name = path.read_bytes(), str(path), path.name
    text = _decode(data)
    if name.lower().endswith(".txt"):
        rows, title = parse_txt(display, text.splitlines()), None
    else:
        rows, title = parse_csv(display, text)
    if not rows:
        raise RefDataError("no PPRRVU records", display)
    seen: set[tuple[str, str]] = set()
    for r in rows:
        if (r.code, r.modifier) in seen:
            raise RefDataError(f"{r.code}{' ' + r.modifier if r.modifier else ''} appears twice: "
                               "the file has one record per code and modifier", display)
        seen.add((r.code, r.modifier))
    return rows, named or title


def import_mpfs(store: Store, path: Path, edition: Optional[str] = None) -> tuple[str, int, bool]:
    """Import one PPRRVU file as the MPFS edition it names (or ``edition``): all of it or nothing."""
    sha = sha256_file(path)
    known = store.source_known(sha, KIND)
    if known:
        return known.edition, known.rows, False
    rows, named = parse_mpfs(path)
    if edition:
        eff = parse_edition_label(edition)
        if eff is None:
            raise RefDataError(f"cannot read an effective date from --edition {edition!r}; write 2026Q1 or "
                               "2026-01-01", str(path))
        label = edition
    elif named is not None:
        eff, label = named, quarter_label(named)
    else:
        raise RefDataError("cannot tell the release from the file name or title row; pass --edition "
                           "(e.g. 2026Q1 for RVU26A)", str(path))
    with store.transaction() as conn:
        again = store.source_known(sha, KIND)
        if again:
            return again.edition, again.rows, False
        eid = store.begin_edition(conn, KIND, "", label, eff, replace=True)
        conn.executemany("INSERT INTO mpfs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ((eid, *r) for r in rows))
        store.finish_edition(conn, eid, sha, path.name, len(rows))
    return label, len(rows), True
