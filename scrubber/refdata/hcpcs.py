"""HCPCS Level II: CMS's annual alpha-numeric file (``HCPC20xx_..._ANWEB.txt``) and code shapes.

Record layout (CMS ``HCPC20xx_recordlayout.txt``, 320-character records):

====  =======  ==========================================================
cols  field    meaning
====  =======  ==========================================================
1-5   code     procedure code; a modifier record has 3 blanks then the
                 2-character modifier in 4-5
6-10  seq      description sequence number (by 100s)
11    RIC      3 first line of a procedure, 4 its continuation lines,
                 7 first line of a modifier, 8 its continuation lines
12-91 long     long description (continued on RIC 4 / 8 lines)
92-119 short   short description
269-276        date the code was added (YYYYMMDD)
277-284        effective date of the last action (YYYYMMDD)
285-292        termination date: last date the code may be used (blank if none)
293   action   A add, B/C/F/P/S/T changes, D discontinue, N no change, R reactivate
====  =======  ==========================================================

The file carries only Level II codes (a letter and four digits). CPT codes
and their descriptions are the AMA's and are never shipped or stored here.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from scrubber.refdata.errors import RefDataError
from scrubber.refdata.guard import text_lines
from scrubber.refdata.ncci import resolve_edition
from scrubber.refdata.store import Store, parse_edition_label, sha256_file, yyyymmdd

_SHAPES = re.compile(r"\d{5}|[A-Z]\d{4}|\d{4}[FT]")
_LEVEL2 = re.compile(r"[A-Z]\d{4}")


def procedure_code_shape_ok(code: str) -> bool:
    """Five digits (CPT), a letter and four digits (HCPCS Level II), or CPT
    category II ``NNNNF`` / category III ``NNNNT``."""
    return bool(code) and _SHAPES.fullmatch(code.strip().upper()) is not None


def is_level2(code: str) -> bool:
    return _LEVEL2.fullmatch(code.strip().upper()) is not None


def _date_or_none(text: str, path: Path, lineno: int, what: str) -> Optional[int]:
    text = text.strip()
    if not text:
        return None
    try:
        return yyyymmdd(text)
    except ValueError:
        raise RefDataError(f"{what} {text!r} is not YYYYMMDD", str(path), lineno) from None


def parse_hcpcs(path: Path) -> list[tuple[str, str, Optional[int], Optional[int], Optional[int], str, str, str]]:
    """Rows (record 'P'/'M', code, added, effective, terminated, action, long, short)."""
    records: dict[tuple[str, str], list] = {}
    order: list[tuple[str, str]] = []
    with open(path, encoding="latin-1", newline="") as f:
        for lineno, raw in enumerate(text_lines(str(path), f, "hcpcs"), start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if len(line) < 11:
                raise RefDataError("record shorter than 11 characters: not the HCPCS record layout", str(path), lineno)
            ric = line[10]
            if ric in "37":
                record = "P" if ric == "3" else "M"
                code = line[0:5].strip() if record == "P" else line[3:5].strip()
                ok = _LEVEL2.fullmatch(code) or re.fullmatch(r"\d{4}[0-9FTU]", code) if record == "P" \
                    else re.fullmatch(r"[A-Z0-9]{2}", code)
                if not ok:
                    raise RefDataError(f"{code!r} is not a HCPCS {'code' if record == 'P' else 'modifier'}",
                                       str(path), lineno)
                if len(line) < 293:
                    raise RefDataError(
                        f"first record of {code} is {len(line)} characters; the layout needs 293 (dates in 269-292, "
                        "action code in 293)", str(path), lineno)
                action = line[292]
                added = _date_or_none(line[268:276], path, lineno, "added date")
                eff = _date_or_none(line[276:284], path, lineno, "action effective date")
                term = _date_or_none(line[284:292], path, lineno, "termination date")
                key = (record, code)
                records[key] = [record, code, added, eff, term, action, line[11:91].strip(), line[91:119].strip()]
                order.append(key)
            elif ric in "48":
                record = "P" if ric == "4" else "M"
                code = line[0:5].strip() if record == "P" else line[3:5].strip()
                key = (record, code)
                if key not in records:
                    raise RefDataError(f"continuation line for {code} before its first record", str(path), lineno)
                records[key][6] = f"{records[key][6]} {line[11:91].strip()}".strip()
            else:
                raise RefDataError(f"record identification code {ric!r} in column 11 is not 3, 4, 7 or 8",
                                   str(path), lineno)
    if not records:
        raise RefDataError("no HCPCS records", str(path))
    return [tuple(records[k]) for k in order]


def import_hcpcs(store: Store, path: Path, edition: Optional[str] = None) -> tuple[str, int, bool]:
    sha = sha256_file(path)
    known = store.source_known(sha, "hcpcs")
    if known:
        return known.edition, known.rows, False
    rows = parse_hcpcs(path)
    if edition is None:
        m = re.search(r"HCPC(20\d{2})", path.name, re.I)
        month = re.search(r"(JAN|APR|JUL|OCT)", path.name.upper())
        if m:
            mon = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}[month.group(1)] if month else 1
            edition = f"{m.group(1)}-{mon:02d}-01"
    if edition is not None and parse_edition_label(edition) is None:
        raise RefDataError(f"cannot read an effective date from --edition {edition!r}; write 2026-01-01", str(path))
    label, eff = resolve_edition(path, edition)
    with store.transaction() as conn:
        again = store.source_known(sha, "hcpcs")
        if again:
            return again.edition, again.rows, False
        eid = store.begin_edition(conn, "hcpcs", "", label, eff, replace=True)
        conn.executemany("INSERT INTO hcpcs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ((eid, *r) for r in rows))
        store.finish_edition(conn, eid, sha, path.name, len(rows))
    return label, len(rows), True
