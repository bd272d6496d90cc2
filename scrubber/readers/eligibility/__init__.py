"""Eligibility readers: 271 responses, 834 enrollment files and the eligibility CSV -> CoverageSpans.

``load_eligibility(paths)`` sniffs each file (X12 starts with ``ISA``; within it
each transaction's ST01 says 271 or 834; otherwise a CSV whose header names
``member_id``), reads every span it can, and returns an ``EligibilityIndex`` with
a list of ``RunError`` (kind ``eligibility``) for everything it could not read,
each naming the file and the segment number (X12) or line (CSV). It never raises
on bad input: a bad row or segment costs that row, not the file or the run.
The coverage check itself is ``scrubber.fields.eligibility.EligibilityIndex.check``.
"""
from __future__ import annotations

from typing import Iterable

from scrubber.fields.eligibility import EligibilityIndex
from scrubber.model import CoverageSpan, RunError
from scrubber.readers.eligibility.csvfile import looks_like_csv, read_csv
from scrubber.readers.eligibility.x12tokens import X12SyntaxError, tokenize, transactions
from scrubber.readers.eligibility.x271 import read_271
from scrubber.readers.eligibility.x834 import read_834

__all__ = ["EligibilityIndex", "load_eligibility", "read_file"]
KIND = "eligibility"


def _err(path: str, message: str, where: int | None, unit: str = "segment") -> RunError:
    loc = f" ({unit} {where})" if where else ""
    return RunError(kind=KIND, message=f"{path}{loc}: {message}", path=path, segment=where)


def read_file(path: str) -> tuple[list[CoverageSpan], set[str], list[RunError]]:
    """Spans and covered payer ids from one file, with its problems as RunErrors."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return [], set(), [_err(path, f"cannot read the eligibility file: {exc.strerror or exc}", None)]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a BOM (Windows PowerShell `>` writes it)
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("ISA"):
        return _read_x12(head, path)
    if looks_like_csv(text):
        spans, covered, problems = read_csv(text, path)
        return spans, covered, [_err(path, msg, line, "line") for msg, line in problems]
    if not head:
        return [], set(), [_err(path, "the eligibility file is empty", None)]
    return [], set(), [_err(path, "not a 271, an 834 or an eligibility CSV (an X12 file starts with ISA; a CSV with the header member_id,payer_id,plan,coverage_start,coverage_end)", 1, "line")]


def _read_x12(text: str, path: str) -> tuple[list[CoverageSpan], set[str], list[RunError]]:
    try:
        _, segments = tokenize(text)
    except X12SyntaxError as exc:
        return [], set(), [_err(path, str(exc), exc.segment)]
    txs, problems = transactions(segments)
    errors = [_err(path, msg, seg) for msg, seg in problems]
    spans: list[CoverageSpan] = []
    covered: set[str] = set()
    if not txs:
        errors.append(_err(path, "no ST transaction in the interchange", None))
    skipped: dict[str, list[int]] = {}  # ST01 -> segment numbers of the transactions skipped
    for tx in txs:
        if tx.kind == "271":
            found, payers, probs = read_271(tx.segments, path)
        elif tx.kind == "834":
            found, payers, probs = read_834(tx.segments, path)
        else:
            skipped.setdefault(tx.kind, []).append(tx.start)
            continue
        spans.extend(found)
        covered |= payers
        errors.extend(_err(path, msg, seg) for msg, seg in probs)
    for kind, starts in skipped.items():  # one error per kind, not one per transaction of a wrong file
        many = f"{len(starts)} transactions" if len(starts) > 1 else "transaction"
        errors.append(_err(path, f"{many} ST01 {kind} is not an eligibility response (271) or enrollment file (834); skipped", starts[0]))
    return spans, covered, errors


def load_eligibility(paths: Iterable[str]) -> tuple[EligibilityIndex, list[RunError]]:
    """Read every eligibility file into one index; problems come back as RunErrors, never raised."""
    spans: list[CoverageSpan] = []
    covered: set[str] = set()
    errors: list[RunError] = []
    for path in paths:
        try:
            found, payers, errs = read_file(path)
        except Exception as exc:  # a reader bug must cost one file, not the run; say so plainly
            found, payers, errs = [], set(), [_err(path, f"internal error while reading this eligibility file ({type(exc).__name__}: {exc}); please report it", None)]
        spans.extend(found)
        covered |= payers
        errors.extend(errs)
    return EligibilityIndex(spans, covered), errors
