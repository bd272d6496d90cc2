"""The audit report's denial section (``audit --remits``): what the payers denied and which rules saw it coming.

Rendered from the run result's ``denials`` object only (the figures are computed once, in
``scrubber.denials``): cards with the denied / caught / not-caught dollars, charts of dollars
prevented by category and by payer, per-rule precision and recall, the CARCs no rule caught
(the next rules to write), and a per-rule table with the counts behind each ratio. Built with
lxml like the rest of the report, so every string (payer names come from the 835) is escaped
by construction. CARCs are shown as bare codes: their descriptions are X12's and not shipped.
"""
from __future__ import annotations

from typing import Optional

from lxml import etree

from scrubber.report.html_charts import bar_chart
from scrubber.report.safe import xml_text

CHART_ROWS = 10


def _el(parent, tag: str, text=None, **attrs) -> etree._Element:
    node = etree.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): xml_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _money(v) -> str:
    return f"{float(v or 0):,.2f}"


def _pct(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{v * 100:.0f}%"


def _table(parent, table_id: str, header: tuple, rows: list) -> None:
    table = _el(parent, "table", id=table_id)
    tr = _el(_el(table, "thead"), "tr")
    for name in header:
        _el(tr, "th", name, scope="col")
    tbody = _el(table, "tbody")
    for row in rows:
        tr = _el(tbody, "tr")
        for value in row:
            _el(tr, "td", "" if value is None else str(value))
    if not rows:
        _el(_el(tbody, "tr"), "td", "None.", colspan=str(len(header)), class_="note")


def denial_section(body, result) -> None:
    """Append the section to ``body`` when the run correlated remittances; nothing otherwise."""
    d = getattr(result, "denials", None)
    if not d:
        return
    section = _el(body, "section", id="denials")
    _el(section, "h2", "Denials from remittances (835)")
    t, m, r = d["totals"], d["matching"], d["remittances"]
    cards = _el(section, "div", class_="cards", id="denial-cards")
    for key, value, label in (
        ("denied", _money(t["denied_amount"]), f"denied ({t['denials']:,} denials on {t['denied_claims']:,} claims)"),
        ("caught", _money(t["caught_amount"]), "caught by a finding (dollars prevented)"),
        ("not-caught", _money(t["not_caught_amount"]), "not caught by any rule"),
        ("matched", f"{m['claims_with_remittance']:,} / {m['claims']:,}", "claims with a remittance"),
    ):
        card = _el(cards, "div", class_=f"card {key}")
        _el(card, "div", value, class_="num")
        _el(card, "div", label, class_="label")
    _el(section, "p", f"{r['claim_payments']:,} claim payments (CLP) read from {len(r['files']):,} files: "
        f"{r['standing']:,} standing, {r['reversals']:,} reversals of {r['reversed']:,} earlier payments, "
        f"{r['superseded']:,} superseded, {r['unreadable']:,} unreadable. {m['claims_without_remittance']:,} claims "
        f"have no remittance; {m['remittances_without_claim']:,} remittances match no audited claim "
        f"({_money(t['denied_amount_without_claim'])} denied on them); {m['remittances_outside_filters']:,} are "
        "outside the filters.", class_="meta", id="denial-accounting")
    charts = _el(section, "div", class_="charts")
    charts.append(bar_chart("chart-prevented-category", "Dollars prevented by category",
                            [(b["category"], b["caught_amount"], _money(b["caught_amount"]))
                             for b in d["by_category"] if b["caught_amount"]][:CHART_ROWS]))
    charts.append(bar_chart("chart-prevented-payer", "Dollars prevented by payer",
                            [(b["payer"], b["caught_amount"], _money(b["caught_amount"]))
                             for b in d["by_payer"] if b["caught_amount"]][:CHART_ROWS]))
    rules = [x for x in d["by_rule"] if x["claims_flagged"]]
    charts.append(bar_chart("chart-rule-precision", "Precision by rule (flagged claims the payer denied)",
                            [(x["rule_id"], x["precision"] or 0, _pct(x["precision"])) for x in rules][:CHART_ROWS * 2]))
    judged = sorted((x for x in d["by_rule"] if x["recall"] is not None),
                    key=lambda x: (-x["flagged_and_denied"] - x["denied_not_flagged"], x["rule_id"]))
    charts.append(bar_chart("chart-rule-recall", "Recall by rule (denials in its family it caught)",
                            [(x["rule_id"], x["recall"] or 0, _pct(x["recall"])) for x in judged][:CHART_ROWS * 2]))
    charts.append(bar_chart("chart-uncaught-carcs", "Top CARCs no rule caught (the next rules to write)",
                            [(f"CARC {u['carc'] or 'none given'}", u["amount"], _money(u["amount"]))
                             for u in d["uncaught_carcs"]][:CHART_ROWS], risk=True))
    _el(section, "h3", "Rules against denials")
    _table(section, "denial-rules",
           ("rule", "category", "CARC family", "claims flagged", "flagged & denied", "denied, not flagged", "precision",
            "recall", "dollars prevented", "false-alarm charges", "flagged, no remittance"),
           [(x["rule_id"], x["category"], " ".join(x["family"]) or "(none mapped)", x["claims_flagged"],
             x["flagged_and_denied"], x["denied_not_flagged"], _pct(x["precision"]), _pct(x["recall"]),
             _money(x["dollars_prevented"]), _money(x["false_alarm_charges"]), x["claims_flagged_without_remittance"])
            for x in d["by_rule"]])
    for table_id, key, title in (("denial-categories", "category", "Denied dollars by category"),
                                 ("denial-payers", "payer", "Denied dollars by payer")):
        _el(section, "h3", title)
        _table(section, table_id, (key, "denials", "caught", "denied", "caught $", "not caught $"),
               [(b[key], b["denials"], b["denials_caught"], _money(b["denied_amount"]), _money(b["caught_amount"]),
                 _money(b["not_caught_amount"])) for b in d[f"by_{key}"]])
    _el(section, "h3", "CARCs not caught by any rule")
    _table(section, "denial-uncaught", ("CARC", "mapped category", "denials", "denied $"),
           [(u["carc"] or "(none given)", u["category"] or "(no category maps it)", u["denials"], _money(u["amount"]))
            for u in d["uncaught_carcs"]])
    _el(section, "p", "CARC and RARC values are X12 code lists; their descriptions are not shipped (X12 licenses "
        "them), so codes are shown bare. The category map is " + str(d["map"]["path"]) + ".", class_="note")
