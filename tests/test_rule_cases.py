"""Every shipped rule's own test cases, one pytest test each: ``pytest -k INT-NPI-001``.

The same loader and runner as ``claimscrub rules test`` (scrubber.engine.cases.run_case):
durable-rules and the reference evaluator both run each case and must agree.
"""
import pytest

from scrubber.engine.cases import run_case
from scrubber.rulespec import default_rule_dirs, load_packs

PACKS = load_packs(default_rule_dirs())
CASES = [(r, c) for r in PACKS.rules for c in r.tests]


@pytest.mark.parametrize("rule,case", CASES, ids=[f"{r.id}::{c.name}" for r, c in CASES])
def test_rule_case(rule, case):
    result = run_case(rule, case, PACKS)
    assert result.ok, f"{rule.path}:{case.line}: {result.detail}"
