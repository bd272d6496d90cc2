"""Totals an auditor reads: by rule, category, payer and provider, with charges at risk.

One presentation model computed from the RunResult and shared by the text, HTML and audit
outputs, so every format shows the same numbers. Nothing here re-evaluates a claim: it only
counts what the RunResult holds. "Charges at risk" is the total charge of flagged claims (the
RunResult summary's definition), split by payer and provider the same way.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from scrubber.model.result import CATEGORIES, SEVERITY_RANK, ClaimResult, RunResult


@dataclass
class GroupTotal:
    """Counts for one payer or provider."""

    key: str
    label: str
    claims: int = 0
    flagged: int = 0
    unreadable: int = 0
    findings: int = 0
    charges: Decimal = Decimal(0)
    charges_at_risk: Decimal = Decimal(0)


@dataclass
class RuleTotal:
    rule_id: str
    severity: str
    category: str
    findings: int = 0
    claims: int = 0
    charges_at_risk: Decimal = Decimal(0)


@dataclass
class Totals:
    by_rule: list[RuleTotal] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_payer: list[GroupTotal] = field(default_factory=list)
    by_billing_provider: list[GroupTotal] = field(default_factory=list)
    by_rendering_provider: list[GroupTotal] = field(default_factory=list)
    charges_total: Decimal = Decimal(0)
    charges_at_risk: Decimal = Decimal(0)


def payer_key(c: ClaimResult) -> tuple[str, str]:
    """(key, label) of a claim's payer: the payer id when known, else the name, else '(unknown)'."""
    if c.payer_id:
        label = f"{c.payer} ({c.payer_id})" if c.payer and c.payer != c.payer_id else c.payer_id
        return c.payer_id, label
    if c.payer:
        return c.payer, c.payer
    return "", "(unknown)"


def _add(group: GroupTotal, c: ClaimResult) -> None:
    group.claims += 1
    group.findings += len(c.findings)
    if c.status == "flagged":
        group.flagged += 1
    elif c.status == "unreadable":
        group.unreadable += 1
    if c.total_charge is not None:
        group.charges += c.total_charge
        if c.status == "flagged":
            group.charges_at_risk += c.total_charge


def _group_order(g: GroupTotal) -> tuple:
    return (-g.charges_at_risk, -g.flagged, -g.findings, g.key)


def compute(result: RunResult) -> Totals:
    """Every total the reports show, in a stable order (largest first, then by key)."""
    rules: dict[str, RuleTotal] = {}
    categories: Counter = Counter()
    payers: dict[str, GroupTotal] = {}
    billing: dict[str, GroupTotal] = {}
    rendering: dict[str, GroupTotal] = {}
    totals = Totals()
    for c in result.claims:
        key, label = payer_key(c)
        _add(payers.setdefault(key, GroupTotal(key, label)), c)
        bkey = c.billing_npi or ""
        _add(billing.setdefault(bkey, GroupTotal(bkey, bkey or "(unknown)")), c)
        rkey = c.rendering_npi or ""
        _add(rendering.setdefault(rkey, GroupTotal(rkey, rkey or "(unknown)")), c)
        if c.total_charge is not None:
            totals.charges_total += c.total_charge
            if c.status == "flagged":
                totals.charges_at_risk += c.total_charge
        seen_rules: set[str] = set()
        for f in c.findings:
            categories[f.category] += 1
            rt = rules.get(f.rule_id)
            if rt is None:
                rt = rules[f.rule_id] = RuleTotal(f.rule_id, f.severity, f.category)
            elif SEVERITY_RANK.get(f.severity, 0) > SEVERITY_RANK.get(rt.severity, 0):
                rt.severity = f.severity  # a payer override can raise one rule's severity
            rt.findings += 1
            if f.rule_id not in seen_rules:
                seen_rules.add(f.rule_id)
                rt.claims += 1
                if c.status == "flagged" and c.total_charge is not None and f.severity == "error":
                    rt.charges_at_risk += c.total_charge
    totals.by_rule = sorted(rules.values(), key=lambda r: (-r.findings, r.rule_id))
    order = {cat: i for i, cat in enumerate(CATEGORIES)}
    totals.by_category = sorted(categories.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0]))
    totals.by_payer = sorted(payers.values(), key=_group_order)
    totals.by_billing_provider = sorted(billing.values(), key=_group_order)
    totals.by_rendering_provider = sorted(rendering.values(), key=_group_order)
    return totals


def money(v: Optional[Decimal]) -> str:
    """Dollars with cents and thousands separators, as a biller reads them."""
    if v is None:
        return ""
    return f"{v:,.2f}"
