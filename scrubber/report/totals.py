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


class TotalsBuilder:
    """The totals, added up claim by claim in input order (``add``) or part by part (``merge`` of
    the builder of later claims): what ``compute`` does in one pass, and a worker does for its
    chunks so that the report needs no pass over results that may be on disk. A group's label is
    its first claim's, a rule's severity the highest seen: merging parts in input order gives
    what one pass gives."""

    __slots__ = ("rules", "categories", "payers", "billing", "rendering", "charges_total", "charges_at_risk")

    def __init__(self) -> None:
        self.rules: dict[str, RuleTotal] = {}
        self.categories: Counter = Counter()
        self.payers: dict[str, GroupTotal] = {}
        self.billing: dict[str, GroupTotal] = {}
        self.rendering: dict[str, GroupTotal] = {}
        self.charges_total = Decimal(0)
        self.charges_at_risk = Decimal(0)

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    def add(self, c: ClaimResult) -> None:
        key, label = payer_key(c)
        _add(self.payers.setdefault(key, GroupTotal(key, label)), c)
        bkey = c.billing_npi or ""
        _add(self.billing.setdefault(bkey, GroupTotal(bkey, bkey or "(unknown)")), c)
        rkey = c.rendering_npi or ""
        _add(self.rendering.setdefault(rkey, GroupTotal(rkey, rkey or "(unknown)")), c)
        if c.total_charge is not None:
            self.charges_total += c.total_charge
            if c.status == "flagged":
                self.charges_at_risk += c.total_charge
        seen_rules: set[str] = set()
        rules = self.rules
        for f in c.findings:
            self.categories[f.category] += 1
            rt = rules.get(f.rule_id)
            if rt is None:
                rt = rules[f.rule_id] = RuleTotal(f.rule_id, f.severity, f.category)
            else:
                _raise_severity(rt, f.severity)  # a payer override can raise one rule's severity
            rt.findings += 1
            if f.rule_id not in seen_rules:
                seen_rules.add(f.rule_id)
                rt.claims += 1
                if c.status == "flagged" and c.total_charge is not None and f.severity == "error":
                    rt.charges_at_risk += c.total_charge

    def merge(self, later: "TotalsBuilder") -> None:
        """Add the totals of claims that come after this builder's (parts merged in input order)."""
        for rule_id, other in later.rules.items():
            rt = self.rules.get(rule_id)
            if rt is None:
                self.rules[rule_id] = other
                continue
            _raise_severity(rt, other.severity)
            rt.findings += other.findings
            rt.claims += other.claims
            rt.charges_at_risk += other.charges_at_risk
        self.categories.update(later.categories)
        for mine, theirs in ((self.payers, later.payers), (self.billing, later.billing),
                             (self.rendering, later.rendering)):
            for key, other in theirs.items():
                group = mine.get(key)
                if group is None:
                    mine[key] = other
                    continue
                for name in _GROUP_SUMS:
                    setattr(group, name, getattr(group, name) + getattr(other, name))
        self.charges_total += later.charges_total
        self.charges_at_risk += later.charges_at_risk

    def totals(self) -> Totals:
        """Every total the reports show, in a stable order (largest first, then by key)."""
        order = {cat: i for i, cat in enumerate(CATEGORIES)}
        return Totals(
            by_rule=sorted(self.rules.values(), key=lambda r: (-r.findings, r.rule_id)),
            by_category=sorted(self.categories.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0])),
            by_payer=sorted(self.payers.values(), key=_group_order),
            by_billing_provider=sorted(self.billing.values(), key=_group_order),
            by_rendering_provider=sorted(self.rendering.values(), key=_group_order),
            charges_total=self.charges_total,
            charges_at_risk=self.charges_at_risk,
        )


_GROUP_SUMS = ("claims", "flagged", "unreadable", "findings", "charges", "charges_at_risk")


def _raise_severity(rt: RuleTotal, severity: str) -> None:
    if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(rt.severity, 0):
        rt.severity = severity


def compute(result: RunResult) -> Totals:
    """Every total the reports show, in a stable order (largest first, then by key)."""
    builder = TotalsBuilder()
    for c in result.claims:
        builder.add(c)
    return builder.totals()


def money(v: Optional[Decimal]) -> str:
    """Dollars with cents and thousands separators, as a biller reads them."""
    if v is None:
        return ""
    return f"{v:,.2f}"
