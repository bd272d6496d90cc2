"""The HTML report: one self-contained file for a compliance committee, working offline.

Built as an lxml element tree, so every string from a claim is escaped by construction (a
patient named ``<script>`` is shown, never run). Sections: summary cards (and the rules that did
not run for lack of reference data), bar charts labelled in full (findings by category, top
rules with their titles, by payer, by billing and rendering provider, charges at risk), findings
by rule (html_findings.py), findings by claim: a claim table that filters and sorts, each claim's
findings with their X12 location and the segment text, run errors, and the run's inputs, rule
packs and reference-data editions. A Content-Security-Policy allows only the report's own script
(by hash) and no network.

Everything reads without JavaScript and in print: the findings are in the page, the script only
folds them behind a toggle on screen, and the print stylesheet unfolds them again. Narrow screens
(400 px) stack table rows instead of scrolling sideways. The page's size is bounded whatever the
batch: at most MAX_TABLE_ROWS claims (those needing attention first) and FINDINGS_ROWS findings
are listed, with the full counts and a pointer to the JSON / CSV outputs for the rest.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Optional

from lxml import etree

from scrubber.model.result import SEVERITIES
from scrubber.report.html_assets import CSS, JS
from scrubber.report.html_charts import bar_chart
from scrubber.report.html_denials import denial_section
from scrubber.report.html_digest import MAX_TABLE_ROWS, HtmlDigest
from scrubber.report.html_findings import findings_by_rule, idle_notice, rule_label, rule_titles
from scrubber.report.status import plural, status_label
from scrubber.report.safe import xml_text
from scrubber.report.totals import Totals, money

__all__ = ["MAX_TABLE_ROWS", "build", "render"]
CHART_ROWS = 10


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = (
    f"default-src 'none'; script-src {_csp_hash(JS)}; style-src {_csp_hash(CSS)}; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def el(parent: Optional[etree._Element], tag: str, text=None, **attrs) -> etree._Element:
    """An element with escaped-by-construction text; ``class_`` and ``data_x`` spell class / data-x."""
    clean = {k.rstrip("_").replace("_", "-"): xml_text(v) for k, v in attrs.items() if v is not None}
    node = etree.Element(tag, clean) if parent is None else etree.SubElement(parent, tag, clean)
    if text is not None:
        node.text = xml_text(text)
    return node


def build(result, title: str = "claimscrub report", titles: Optional[dict] = None,
          digest: Optional[HtmlDigest] = None) -> etree._Element:
    """``digest``: the run's results' HtmlDigest, gathered as they were made (``ScrubOptions.html_digest``);
    without one, or one that does not cover every result, one pass over the results makes it."""
    if digest is None or digest.count != len(result.claims):
        digest = HtmlDigest.of(result.claims)
    summary = result.summary()
    totals = digest.totals()
    titles = rule_titles(titles)
    html = el(None, "html", lang="en")
    head = el(html, "head")
    el(head, "meta", charset="utf-8")
    el(head, "meta", http_equiv="Content-Security-Policy", content=CSP)
    el(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    el(head, "title", title)
    el(head, "style", CSS)
    body = el(html, "body")
    el(body, "h1", title)
    el(body, "p", f"{result.run.started} \u00b7 claimscrub {result.tool_version}"
       + (f" \u00b7 payer profile {result.run.payer_profile}" if result.run.payer_profile else ""), class_="meta")
    filters = result.run.extra.get("filters")
    if filters:
        scope = [f"{k.replace('_', ' ')} {', '.join(v) if isinstance(v, list) else v}" for k, v in filters.items() if v]
        excluded = result.run.extra.get("claims_excluded_by_filters")
        el(body, "p", "Filters: " + "; ".join(scope)
           + (f" ({excluded:,} claims outside them not counted)" if excluded else ""), class_="meta", id="filters")
    _cards(body, summary, totals, len(result.errors))
    idle_notice(el, body, result)
    _charts(body, totals, titles)
    denial_section(body, result)  # audit --remits only (scrubber/report/html_denials.py)
    findings_by_rule(el, body, totals, digest, titles)
    _claims_table(body, result, digest)
    _errors(body, result)
    _totals_tables(body, totals)
    _run_info(body, result)
    el(body, "script", JS)
    return html


def render(result, out, title: str = "claimscrub report", rule_titles: Optional[dict] = None,
           digest: Optional[HtmlDigest] = None, **opts) -> None:
    out.write(etree.tostring(build(result, title, rule_titles, digest), method="html", encoding="unicode",
                             doctype="<!DOCTYPE html>"))
    out.write("\n")


def _cards(body, summary: dict, totals: Totals, n_errors: int) -> None:
    el(body, "h2", "Summary")
    cards = el(body, "div", class_="cards", id="summary")
    sev = summary["findings_by_severity"]
    items = [
        ("claims", summary["claims_total"], "claims"),
        ("clean", summary["claims_clean"], "clean"),
        ("flagged", summary["claims_flagged"], "held (flagged)"),
        ("unreadable", summary["claims_unreadable"], "unreadable"),
        ("risk", money(totals.charges_at_risk), "charges at risk"),
        ("findings", sum(sev.values()), f"findings ({sev['error']} error, {sev['warning']} warning, {sev['info']} info)"),
        ("run-errors", n_errors, "run errors"),
    ]
    for key, number, label in items:
        card = el(cards, "div", class_=f"card {key}", data_card=key)
        el(card, "div", number, class_="n")
        el(card, "div", label, class_="l")


def _top(groups, metric) -> list:
    """The CHART_ROWS groups with the largest non-zero ``metric``, largest first (ties by key)."""
    ranked = sorted((g for g in groups if metric(g)), key=lambda g: (-metric(g), g.key))
    return ranked[:CHART_ROWS]


def _charts(body, t: Totals, titles: dict) -> None:
    el(body, "h2", "Charts")
    charts = el(body, "div", class_="charts")
    charts.append(bar_chart("chart-category", "Findings by category", [(c, n, str(n)) for c, n in t.by_category]))
    charts.append(bar_chart("chart-rules", f"Top {CHART_ROWS} rules by findings",
                            [(rule_label(r.rule_id, titles), r.findings, str(r.findings)) for r in t.by_rule[:CHART_ROWS]]))
    charts.append(bar_chart("chart-payer", "Findings by payer",
                            [(g.label, g.findings, str(g.findings)) for g in _top(t.by_payer, lambda g: g.findings)]))
    charts.append(bar_chart("chart-risk-payer", "Charges at risk by payer",
                            [(g.label, float(g.charges_at_risk), money(g.charges_at_risk))
                             for g in _top(t.by_payer, lambda g: g.charges_at_risk)], risk=True))
    for chart_id, name, groups in (("chart-billing", "billing", t.by_billing_provider),
                                   ("chart-rendering", "rendering", t.by_rendering_provider)):
        charts.append(bar_chart(chart_id, f"Flagged claims by {name} provider (NPI)",
                                [(g.label, g.flagged, str(g.flagged)) for g in _top(groups, lambda g: g.flagged)]))


_COLUMNS = (("", None), ("Claim", "str"), ("Status", "str"), ("Patient", "str"), ("Payer", "str"),
            ("Billing NPI", "str"), ("Rendering NPI", "str"), ("Date of service", "str"),
            ("Charge", "num"), ("Findings", "num"), ("Worst", "num"))


def _claims_table(body, result, digest: HtmlDigest) -> None:
    """The claims needing attention first, up to MAX_TABLE_ROWS, in input order (``HtmlDigest.listed``):
    beyond that a browser page stops being usable; the CSV format lists every finding."""
    el(body, "h2", "Findings by claim", id="findings-by-claim")
    listed, omitted = digest.listed()
    controls = el(body, "div", class_="controls")
    label = el(controls, "label", "Filter ", for_="claim-filter")
    el(label, "input", type="search", id="claim-filter", placeholder="claim id, patient, payer, NPI, rule, category")
    status = el(controls, "select", id="status-filter", aria_label="Status")
    for value, text in (("", "all statuses"), ("flagged", "flagged"), ("clean", "clean"), ("unreadable", "unreadable")):
        el(status, "option", text, value=value)
    shown = el(controls, "span", "", class_="note")
    el(shown, "span", str(len(listed)), id="claims-shown")
    el(shown, "span", f" of {len(listed)} claims shown")
    if omitted:
        el(body, "p", f"{plural(omitted, 'more claim')} {'is' if omitted == 1 else 'are'} counted above but not "
           f"listed here (clean ones first; {len(listed):,} of {len(result.claims):,} listed): the JSON and CSV "
           "outputs list every claim.", class_="note", id="claims-omitted")
    table = el(body, "table", id="claims")
    tr = el(el(table, "thead"), "tr")
    for name, kind in _COLUMNS:
        attrs = {"class_": ("sortable" + (" num" if kind == "num" else "")) if kind else None, "data_type": kind, "scope": "col"}
        el(tr, "th", name or "Show", **attrs)
    tbody = el(table, "tbody")
    for order, (index, c) in enumerate(listed):
        _claim_rows(tbody, order, index, c)
    if not result.claims:
        el(body, "p", "No claims were read.", class_="note", id="no-claims")


def _claim_rows(tbody, order: int, index: int, c) -> None:
    detail_id = f"claim-detail-{index}"
    worst = min((SEVERITIES.index(f.severity) for f in c.findings if f.severity in SEVERITIES), default=None)
    worst_sev = SEVERITIES[worst] if worst is not None else ""
    search = " ".join(x for x in (c.claim_id, c.status, c.patient_name, c.payer, c.payer_id, c.billing_npi,
                                  c.rendering_npi, c.service_date, *(f.rule_id for f in c.findings),
                                  *(f.category for f in c.findings)) if x).lower()
    row = el(tbody, "tr", class_="claim", data_status=c.status, data_detail=detail_id, data_order=str(order),
             data_search=search)
    first = el(row, "td", class_="toggle-cell")
    el(first, "button", "\u25b8", class_="toggle", type="button", aria_expanded="false", aria_controls=detail_id,
       aria_label="show findings")
    cells = [
        (c.claim_id, c.claim_id, None), (status_label(c), c.status, f"st-{c.status}"), (c.patient_name, c.patient_name, None),
        (c.payer or c.payer_id, c.payer or c.payer_id, None), (c.billing_npi, c.billing_npi, None),
        (c.rendering_npi, c.rendering_npi, None), (c.service_date, c.service_date, None),
        (money(c.total_charge), c.total_charge, "num"), (str(len(c.findings)), len(c.findings), "num"),
        (worst_sev, 3 - worst if worst is not None else 0, f"sev-{worst_sev}" if worst_sev else None),
    ]
    for (name, _), (shown, value, cls) in zip(_COLUMNS[1:], cells):
        el(row, "td", shown or "", class_=cls, data_value="" if value is None else str(value), data_label=name)
    # Not hidden in the markup: without JavaScript (and in print) every claim's findings show.
    detail = el(tbody, "tr", class_="detail", id=detail_id)
    cell = el(detail, "td", colspan=str(len(_COLUMNS)))
    facts = el(cell, "dl", class_="facts")
    for name, value in (("source", f"{c.source_path}" + (f", segment {c.source_segment}" if c.source_segment else "")),
                        ("member id", c.member_id), ("payer id", c.payer_id), ("total charge", money(c.total_charge))):
        if value:
            el(facts, "dt", name)
            el(facts, "dd", value)
    if c.error:
        el(cell, "p", f"Unreadable: {c.error}", class_="sev-error")
    if not c.findings and not c.error:
        el(cell, "p", "No findings.", class_="note")
    segments = dict(c.segments)
    for f in c.findings:
        box = el(cell, "div", class_=f"finding {f.severity}")
        head = el(box, "div")
        el(head, "span", f.severity, class_=f"sev-{f.severity}")
        el(head, "span", f" {f.rule_id} ")
        el(head, "span", f"[{f.category}]", class_="note")
        where = f.location_path or "-"
        where += f", segment {f.location_segment}" if f.location_segment else ""
        where += f", line {f.line}" if f.line is not None else ""
        el(box, "div", f.message)
        el(box, "div", f"at {where}", class_="note")
        if f.location_segment in segments:
            el(box, "pre", segments[f.location_segment], class_="segment")
        if f.suggestion:
            el(box, "div", f"Fix: {f.suggestion}")
        if f.codes:
            el(box, "div", "codes: " + ", ".join(f.codes), class_="note")
        if f.source:
            el(box, "div", f"source: {f.source}", class_="note")


def _errors(body, result) -> None:
    el(body, "h2", "Run errors")
    if not result.errors:
        el(body, "p", "None.", class_="note", id="run-errors")
        return
    table = el(body, "table", id="run-errors")
    tr = el(el(table, "thead"), "tr")
    for name in ("Kind", "Where", "Message"):
        el(tr, "th", name, scope="col")
    tbody = el(table, "tbody")
    for e in result.errors:
        tr = el(tbody, "tr")
        el(tr, "td", e.kind, data_label="Kind")
        el(tr, "td", (e.path or "") + (f":{e.segment}" if e.segment else ""), data_label="Where")
        el(tr, "td", e.message, data_label="Message")


def _simple_table(body, table_id: str, header: tuple, rows) -> None:
    table = el(body, "table", id=table_id)
    tr = el(el(table, "thead"), "tr")
    for name in header:
        el(tr, "th", name, scope="col")
    tbody = el(table, "tbody")
    any_row = False
    for row in rows:
        any_row = True
        tr = el(tbody, "tr")
        for name, value in zip(header, row):
            el(tr, "td", "" if value is None else str(value), data_label=name)
    if not any_row:
        tr = el(tbody, "tr")
        el(tr, "td", "None.", colspan=str(len(header)), class_="note")


def _totals_tables(body, t: Totals) -> None:
    el(body, "h2", "Totals by rule")
    _simple_table(body, "totals-rule", ("Rule", "Severity", "Category", "Findings", "Claims", "Charges at risk"),
                  ((r.rule_id, r.severity, r.category, r.findings, r.claims, money(r.charges_at_risk)) for r in t.by_rule))
    for table_id, name, groups in (("totals-payer", "payer", t.by_payer),
                                   ("totals-billing", "billing provider", t.by_billing_provider),
                                   ("totals-rendering", "rendering provider", t.by_rendering_provider)):
        el(body, "h2", f"Totals by {name}")
        _simple_table(body, table_id, (name.capitalize(), "Claims", "Flagged", "Unreadable", "Findings", "Charges",
                                       "Charges at risk"),
                      ((g.label, g.claims, g.flagged, g.unreadable, g.findings, money(g.charges), money(g.charges_at_risk))
                       for g in groups))


def _run_info(body, result) -> None:
    run = result.run
    el(body, "h2", "Inputs, rule packs and reference data")
    _simple_table(body, "run-inputs", ("Input", "sha256"), ((i.get("path"), i.get("sha256")) for i in run.inputs))
    el(body, "p", "")
    _simple_table(body, "run-rulesets", ("Rule pack", "Version", "sha256"),
                  ((r.get("id"), r.get("version"), r.get("sha256")) for r in run.rulesets))
    el(body, "p", "")
    missing = {}
    for item in run.extra.get("rules_idle") or ():
        missing.setdefault(item["table"], []).append(item["rule_id"])
    _simple_table(body, "run-refdata", ("Reference data", "Edition", "sha256"),
                  [*((r.get("kind"), r.get("edition"), r.get("sha256")) for r in run.refdata),
                   *((kind, f"not imported: {plural(len(ids), 'rule')} did not run ({', '.join(ids)})", "")
                     for kind, ids in missing.items())])
