"""X12 date elements (D8 ``CCYYMMDD`` and RD8 ``CCYYMMDD-CCYYMMDD``) for the eligibility readers."""
from __future__ import annotations

from datetime import date
from typing import Optional


def d8(text: str) -> date:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise ValueError(f"'{text}' is not a CCYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"'{text}' is not a calendar date (CCYYMMDD)") from None


def period(qualifier: str, value: str) -> tuple[Optional[date], Optional[date]]:
    """(start, end) of a DTP value; a single D8 date is (date, None). 99991231 means open-ended."""
    if qualifier == "RD8":
        if "-" not in value:
            raise ValueError(f"RD8 value '{value}' should be CCYYMMDD-CCYYMMDD")
        a, b = value.split("-", 1)
        start, end = d8(a), d8(b)
        if end < start:
            raise ValueError(f"RD8 period '{value}' ends before it starts")
        return start, (None if end == date(9999, 12, 31) else end)
    if qualifier == "D8":
        return d8(value), None
    raise ValueError(f"date format qualifier '{qualifier}' is not D8 or RD8")
