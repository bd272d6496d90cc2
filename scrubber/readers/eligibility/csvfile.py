"""Coverage spans from the eligibility CSV of DESIGN.md.

Header (names case-insensitive, spaces or dashes for underscores, any order; commas, or the
semicolons / tabs a spreadsheet may write): ``member_id,payer_id,plan,coverage_start,coverage_end``;
optional ``last_name,first_name,birth_date,relationship`` and ``responsibility``
(``P`` / ``S`` / ``T``, or ``primary`` / ``secondary`` / ``tertiary``: which payer
pays first, for the payer-order check). One row per coverage span; dates
``YYYY-MM-DD``; an empty ``coverage_end`` is open coverage. A bad row is reported
with its line number and skipped; the other rows still load.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Optional

from scrubber.model import CoverageSpan, Loc

REQUIRED = ("member_id", "payer_id", "plan", "coverage_start", "coverage_end")
OPTIONAL = ("last_name", "first_name", "birth_date", "relationship", "responsibility")
RESPONSIBILITY = {"P": "P", "S": "S", "T": "T", "PRIMARY": "P", "SECONDARY": "S", "TERTIARY": "T"}


DELIMITERS = (",", ";", "\t", "|")


def _header_name(name: str) -> str:
    """``Member ID`` / ``member-id`` / ``MEMBER_ID`` -> ``member_id``."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def _delimiter(first_line: str) -> str:
    """The header's delimiter: comma unless a spreadsheet wrote semicolons, tabs or bars instead."""
    return max(DELIMITERS, key=first_line.count)


def looks_like_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    return "member_id" in [_header_name(c.strip('"')) for c in first.split(_delimiter(first))]


def _date(value: str, column: str) -> Optional[date]:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad(value, column)
    except ValueError:
        return _bad(value, column)


def _bad(value: str, column: str):
    raise ValueError(f"{column} '{value}' is not a date; write YYYY-MM-DD")


def read_csv(text: str, path: str) -> tuple[list[CoverageSpan], set[str], list[tuple[str, int]]]:
    """Spans, payer ids the file covers, and problems (message, line number)."""
    problems: list[tuple[str, int]] = []
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        header = next(reader)
    except StopIteration:
        return [], set(), [("the file is empty; expected a header " + ",".join(REQUIRED), 1)]
    except csv.Error as exc:
        return [], set(), [(f"not readable as CSV: {exc}", 1)]
    columns = [_header_name(h) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], set(), [(f"the header lacks {', '.join(missing)}; an eligibility CSV starts with " + ",".join(REQUIRED), 1)]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        problems.append((f"column(s) {', '.join(unknown)} are not eligibility columns and were ignored (known: {', '.join(REQUIRED + OPTIONAL)})", 1))
    spans: list[CoverageSpan] = []
    covered: set[str] = set()
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append((f"row has {len(row)} fields, the header has {len(columns)}", line))
                continue
            rec = {c: v.strip() for c, v in zip(columns, row)}
            try:
                span = _span(rec, path, line)
            except ValueError as exc:
                problems.append((str(exc), line))
                continue
            spans.append(span)
            if span.payer_id:
                covered.add(span.payer_id)
    except csv.Error as exc:
        problems.append((f"not readable as CSV: {exc}", reader.line_num))
    return spans, covered, problems


def _span(rec: dict, path: str, line: int) -> CoverageSpan:
    if not rec["member_id"]:
        raise ValueError("member_id is empty")
    start = _date(rec["coverage_start"], "coverage_start")
    if start is None:
        raise ValueError("coverage_start is empty; write the first day of coverage (YYYY-MM-DD)")
    end = _date(rec["coverage_end"], "coverage_end")
    if end is not None and end < start:
        raise ValueError(f"coverage_end {end} is before coverage_start {start}")
    resp = rec.get("responsibility", "")
    if resp and resp.upper() not in RESPONSIBILITY:
        raise ValueError(f"responsibility '{resp}' should be P, S or T (primary, secondary, tertiary)")
    return CoverageSpan(
        member_id=rec["member_id"],
        payer_id=rec["payer_id"] or None,
        plan=rec["plan"] or None,
        start=start,
        end=end,
        active=True,
        last_name=rec.get("last_name") or None,
        first_name=rec.get("first_name") or None,
        birth_date=_date(rec.get("birth_date", ""), "birth_date"),
        relationship=rec.get("relationship") or None,
        responsibility=RESPONSIBILITY[resp.upper()] if resp else None,
        source=Loc(f"line {line}", line),
        source_file=path,
    )
