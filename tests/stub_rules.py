"""A MADE-UP evaluator for ledger and audit tests (the real engine is tested elsewhere).

Implements the pipeline's Evaluator protocol with plain Python checks that are obviously not
real payer edits: MADE-UP-HIGH fires on claims over 100.00, MADE-UP-LOW (only in rule set "B")
on claims at or under 100.00.
"""
from __future__ import annotations

from decimal import Decimal

from scrubber.model import Finding

HIGH = "MADE-UP-HIGH"
LOW = "MADE-UP-LOW"


class StubEvaluator:
    def __init__(self, rule_set: str = "A"):
        self.rule_set = rule_set

    def evaluate(self, claims, contexts=None):
        found = {}
        for i, c in enumerate(claims):
            hits = []
            if c.total_charge is not None and c.total_charge > Decimal(100):
                hits.append(Finding(HIGH, "error", "payer-policy", f"charge {c.total_charge} over 100.00 (made-up rule)",
                                    "made-up suggestion", None, None, "2300/CLM02", c.source.segment, ("CLM02",)))
            if self.rule_set == "B" and c.total_charge is not None and c.total_charge <= Decimal(100):
                hits.append(Finding(LOW, "info", "payer-policy", "low charge (made-up rule)", None, None, None,
                                    "2300/CLM02", c.source.segment, ()))
            if hits:
                found[i] = hits
        return found, []

    def rulesets(self) -> list[dict]:
        return [{"id": "made-up-pack", "version": self.rule_set, "sha256": ("a" if self.rule_set == "A" else "b") * 64}]
