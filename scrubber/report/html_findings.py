"""HTML report sections a compliance committee reads on paper: findings by rule, rules not run.

"Findings by rule" is a plain table per rule (its id and title, severity, counts, then each
finding: claim, where, message, fix), visible without JavaScript and printed in full. Its size
is capped (``FINDINGS_PER_RULE`` rows per rule, ``FINDINGS_ROWS`` in all) so a large batch does
not grow the page or the memory used to build it; the counts are always the full ones and a
capped rule says how many findings the JSON and CSV outputs hold beyond what is shown.
"""
from __future__ import annotations

from typing import Callable, Optional

from scrubber.idle import idle_by_reason
from scrubber.report.html_digest import FINDINGS_PER_RULE, FINDINGS_ROWS
from scrubber.report.status import plural
from scrubber.report.totals import Totals, money

__all__ = ["FINDINGS_PER_RULE", "FINDINGS_ROWS", "findings_by_rule", "idle_notice", "rule_label", "rule_titles"]


def rule_titles(explicit: Optional[dict]) -> dict[str, str]:
    """Rule id -> title: the run's own (passed by the CLI), else the standard packs' (audit show)."""
    if explicit:
        return dict(explicit)
    try:
        from scrubber.rulespec import default_rule_dirs, load_packs

        return {r.id: r.title for r in load_packs(default_rule_dirs()).rules}
    except Exception:  # titles are a courtesy; a report is never lost for want of them
        return {}


def rule_label(rule_id: str, titles: dict[str, str]) -> str:
    title = titles.get(rule_id)
    return f"{rule_id} \u2014 {title}" if title else rule_id


def idle_notice(el: Callable, parent, result) -> None:
    """One line per missing table naming the rules that could not run (nothing when all ran)."""
    groups = idle_by_reason(result.run.extra.get("rules_idle"))
    if not groups:
        return
    box = el(parent, "div", class_="notice", id="rules-idle", role="note")
    el(box, "strong", "Rules that did not run for lack of reference data (no claim was checked by them):")
    items = el(box, "ul")
    for reason, ids in groups:
        el(items, "li", f"{plural(len(ids), 'rule')} ({', '.join(ids)}): {reason}")


def findings_by_rule(el: Callable, body, totals: Totals, digest, titles: dict[str, str]) -> None:
    """``digest``: the run's ``HtmlDigest`` (its rows are the first findings of each rule, in input order)."""
    el(body, "h2", "Findings by rule", id="findings-by-rule")
    if not totals.by_rule:
        el(body, "p", "No findings.", class_="note")
        return
    wanted = min(FINDINGS_ROWS, sum(min(r.findings, FINDINGS_PER_RULE) for r in totals.by_rule))
    kept = digest.findings(wanted)
    for r in totals.by_rule:
        section = el(body, "section", class_="rule-findings", data_rule=r.rule_id)
        el(section, "h3", rule_label(r.rule_id, titles))
        el(section, "p", f"{r.severity} \u00b7 {r.category} \u00b7 {plural(r.findings, 'finding')} on "
           f"{plural(r.claims, 'claim')} \u00b7 charges at risk {money(r.charges_at_risk)}", class_="note")
        rows = kept.get(r.rule_id, [])
        table = el(section, "table", class_="findings")
        tr = el(el(table, "thead"), "tr")
        header = ("Claim", "Where", "Finding", "Fix")
        for name in header:
            el(tr, "th", name, scope="col")
        tbody = el(table, "tbody")
        for claim_id, f in rows:
            where = f.location_path or "-"
            where += f", segment {f.location_segment}" if f.location_segment else ""
            where += f", line {f.line}" if f.line is not None else ""
            tr = el(tbody, "tr")
            for name, value in zip(header, (claim_id, where, f.message, f.suggestion or "")):
                el(tr, "td", value, data_label=name)
        if len(rows) < r.findings:
            el(section, "p", f"{plural(r.findings - len(rows), 'more finding')} of {r.rule_id} not shown here: "
               "the JSON and CSV outputs list every finding.", class_="note more")
