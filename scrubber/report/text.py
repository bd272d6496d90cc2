"""Plain-text report: a biller's work list, grouped by claim, a summary last.

Every claim read is listed once (the DESIGN invariant): its status (clean / flagged / unreadable,
with the count of findings beside a clean claim that carries warnings or info), then each finding
with its severity, rule, X12 location (path and segment number) and the fix. ``quiet=True``
(``--quiet``) folds the clean claims without findings into one counted line. Rules that could not
run for lack of reference data are named once, in the summary. Colour is used
only when writing to a terminal (``color=None``, the default), never in a file or a pipe, and
never when ``NO_COLOR`` is set.
"""
from __future__ import annotations

import dataclasses
import os
import re

from scrubber.idle import idle_by_reason
from scrubber.report.status import plural, status_label
from scrubber.report.safe import no_controls
from scrubber.report.totals import compute, money

# Control characters from claim data must not reach a terminal (an ESC could recolour or rewrite
# the screen); tab and newline inside a value would break the one-line-per-finding layout.
def printable(value) -> str:
    return no_controls(value)

_COLORS = {"error": "31", "warning": "33", "info": "36", "flagged": "31", "unreadable": "35", "clean": "32", "dim": "2", "bold": "1"}
_TOP_RULES = 10


def use_color(out, color) -> bool:
    """Colour when asked, or by default only on a terminal and without NO_COLOR."""
    if color is not None:
        return bool(color)
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def render(result, out, color=None, quiet=False, **opts) -> None:
    on = use_color(out, color)

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if on and style in _COLORS else text

    folded = 0
    for c in result.claims:
        if quiet and not c.findings and c.status == "clean":
            folded += 1
            continue
        c = _printable_claim(c)
        where = f"{c.source_path}:{c.source_segment}" if c.source_segment is not None else c.source_path
        extra = []
        if c.payer or c.payer_id:
            extra.append(f"payer {c.payer or c.payer_id}")
        if c.total_charge is not None:
            extra.append(f"charge {money(c.total_charge)}")
        if c.service_date:
            extra.append(f"DOS {c.service_date}")
        if c.patient_name:
            extra.append(f"patient {c.patient_name}")
        tail = f"  ({', '.join(extra)})" if extra else ""
        out.write(f"{paint(c.claim_id, 'bold')}  [{paint(status_label(c), c.status)}]  {where}{tail}\n")
        if c.error:
            out.write(f"  {paint('unreadable', 'unreadable')}: {c.error}\n")
        for f in c.findings:
            loc = f.location_path or "-"
            seg = f" (segment {f.location_segment})" if f.location_segment else ""
            line = f" line {f.line}" if f.line is not None else ""
            out.write(f"  {paint(f'{f.severity:<7}', f.severity)} {f.rule_id:<14} [{f.category}]{line} {loc}{seg}: {f.message}\n")
            if f.suggestion:
                out.write(f"          {paint('fix:', 'dim')} {f.suggestion}\n")
    if folded:
        out.write(f"{plural(folded, 'clean claim')} without findings not listed (--quiet)\n")
    for e in result.errors:
        e = dataclasses.replace(e, kind=printable(e.kind), message=printable(e.message), path=printable(e.path) or None)
        where = f"{e.path}:{e.segment}" if e.segment else (e.path or "")
        out.write(f"{paint('error', 'error')} ({e.kind}){' ' + where if where else ''}: {e.message}\n")
    _summary(result, out, paint)


def _printable_claim(c):
    findings = tuple(
        dataclasses.replace(f, rule_id=printable(f.rule_id), message=printable(f.message),
                            suggestion=printable(f.suggestion) if f.suggestion else None,
                            location_path=printable(f.location_path) if f.location_path else None)
        for f in c.findings
    )
    fields = {k: (printable(getattr(c, k)) if getattr(c, k) else getattr(c, k))
              for k in ("claim_id", "source_path", "payer", "payer_id", "patient_name", "error", "service_date")}
    return dataclasses.replace(c, findings=findings, **fields)


def _summary(result, out, paint) -> None:
    s = result.summary()
    t = compute(result)
    out.write("\n")
    out.write(
        f"{plural(s['claims_total'], 'claim')}: {paint(str(s['claims_clean']) + ' clean', 'clean')}, "
        f"{paint(str(s['claims_flagged']) + ' flagged', 'flagged')}, "
        f"{paint(str(s['claims_unreadable']) + ' unreadable', 'unreadable')}; "
        f"charges at risk {money(t.charges_at_risk)} of {money(t.charges_total)}\n"
    )
    sev = s["findings_by_severity"]
    out.write(f"findings: {sev['error']} error, {sev['warning']} warning, {sev['info']} info")
    if result.errors:
        out.write(f"; {plural(len(result.errors), 'run error')}")
    out.write("\n")
    for reason, ids in idle_by_reason(result.run.extra.get("rules_idle")):
        out.write(f"{paint('not run', 'warning')} ({plural(len(ids), 'rule')}: {', '.join(ids)}): {printable(reason)}\n")
    if t.by_category:
        out.write("by category: " + ", ".join(f"{cat} {n}" for cat, n in t.by_category) + "\n")
    if t.by_rule:
        out.write("top rules:\n")
        for r in t.by_rule[:_TOP_RULES]:
            out.write(f"  {r.rule_id:<20} {r.severity:<7} {plural(r.findings, 'finding'):>14} on {plural(r.claims, 'claim')}\n")
        if len(t.by_rule) > _TOP_RULES:
            out.write(f"  ... and {len(t.by_rule) - _TOP_RULES} more rules\n")
    for title, groups in (("by payer", t.by_payer), ("by billing provider", t.by_billing_provider),
                          ("by rendering provider", t.by_rendering_provider)):
        flagged = [g for g in groups if g.flagged or g.findings]
        if not flagged:
            continue
        out.write(f"{title}:\n")
        for g in flagged[:_TOP_RULES]:
            label = printable(g.label)
            label = label if len(label) <= 36 else label[:35] + "\u2026"
            out.write(f"  {label:<36} {plural(g.claims, 'claim'):>13} {g.flagged:>6} flagged {plural(g.findings, 'finding'):>15}"
                      f"  at risk {money(g.charges_at_risk)}\n")
        if len(flagged) > _TOP_RULES:
            out.write(f"  ... and {len(flagged) - _TOP_RULES} more\n")
