"""CSV: one row per finding, for a spreadsheet work list.

Rows: every finding (``record`` = finding), one row per unreadable claim (``record`` =
unreadable, the reason in ``message``), one row per claim with no finding (``record`` = claim,
status clean) and one per run error (``record`` = run-error): every claim read appears in the
sheet (the DESIGN invariant), and nothing that needs attention is missing from it. Cells that start with ``= + - @`` (or tab / carriage return) are prefixed with ``'`` so a
spreadsheet shows them as text instead of running them as formulas (CSV injection); plain
numbers such as ``-12.50`` are left alone. Control characters from claim data (C0 including CR
and LF, DEL, C1; not tab, harmless in a comma-separated cell) become U+FFFD, so one finding is one
physical line.
"""
from __future__ import annotations

import csv
import re

from scrubber.report.safe import no_controls
from scrubber.report.totals import money

COLUMNS = (
    "record", "claim_id", "status", "source_path", "source_segment", "payer", "payer_id",
    "billing_npi", "rendering_npi", "service_date", "total_charge", "patient_name", "member_id",
    "rule_id", "severity", "category", "line", "location_path", "location_segment", "codes",
    "message", "suggestion", "rule_source",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value) -> str:
    """A cell as text a spreadsheet will not evaluate, with no control character (U+FFFD instead)."""
    text = no_controls(value, keep="\t")
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _rows(result):
    for c in result.claims:
        claim = [
            c.claim_id, c.status, c.source_path, c.source_segment, c.payer, c.payer_id, c.billing_npi,
            c.rendering_npi, c.service_date, money(c.total_charge).replace(",", ""), c.patient_name, c.member_id,
        ]
        if c.status == "unreadable":
            yield ["unreadable", *claim, "", "error", "structure", "", "", c.source_segment, "", c.error or "", "", ""]
        elif not c.findings:
            yield ["claim", *claim, *[""] * 10]
        for f in c.findings:
            yield [
                "finding", *claim, f.rule_id, f.severity, f.category, f.line, f.location_path,
                f.location_segment, " ".join(f.codes), f.message, f.suggestion, f.source,
            ]
    for e in result.errors:
        yield ["run-error", "", "", e.path, e.segment, "", "", "", "", "", "", "", "", e.kind, "error", "", "",
               "", e.segment, "", e.message, "", ""]


def render(result, out, **opts) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _rows(result):
        writer.writerow([neutralise(v) for v in row])
