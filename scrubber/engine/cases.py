"""A rule's own test cases, run the same way by ``claimscrub rules test`` and by pytest.

Each case runs through durable-rules *and* the oracle (verify mode) on a one-rule engine, with
its ``batch`` claims evaluated first (batch-level rules), and passes when the rule fired
(``expect: fire``, exactly ``count`` times if given) or did not (``expect: pass``), with no
run error and no disagreement between the two evaluators.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from scrubber.model import ClaimContext, Finding
from scrubber.model.serialize import claim_from_dict
from scrubber.rulespec.model import Rule, RuleCase
from scrubber.rulespec.packs import PackInfo, RulePacks

_ENGINES: dict[tuple, object] = {}


@dataclass
class CaseResult:
    rule: Rule
    case: RuleCase
    ok: bool
    detail: str
    findings: list


def context_from_dict(d: Optional[dict]) -> Optional[ClaimContext]:
    if not d:
        return None
    cov = d.get("coverage")
    return ClaimContext(
        profile_id=d.get("profile_id", "default"), params=dict(d.get("params") or {}),
        disabled_rules=frozenset(d.get("disabled_rules") or ()), disabled_packs=frozenset(d.get("disabled_packs") or ()),
        severity_overrides=dict(d.get("severity_overrides") or {}),
        coverage={k: (date.fromisoformat(v) if k in ("start", "end") and isinstance(v, str) else v)
                  for k, v in cov.items()} if cov is not None else None,
    )


def engine_for(rule: Rule, packs: RulePacks, data_dir: Optional[str] = None):
    """A one-rule engine over the rule-case store of ``data_dir`` (None: the data_dir setting)."""
    from scrubber.engine.core import Engine
    from scrubber.refdata.rule_cases import rule_case_refdata  # built-in ICD-10-CM + CMS-layout samples

    refdata = rule_case_refdata(data_dir)
    key = (rule.sha256 or "", rule.id, id(refdata))  # rule_case_refdata keeps one RefData per store
    eng = _ENGINES.get(key)
    if eng is None:
        one = RulePacks(rules=[rule], valuesets=packs.valuesets,
                        packs=[PackInfo(f"case:{rule.id}", rule.path, rule.version, rule.sha256 or rule.id)])
        eng = _ENGINES[key] = Engine(one, refdata=refdata, verify=True, workers=0)
    return eng


def _claim(d: dict, case: RuleCase):
    return claim_from_dict(dict(d, claim_id=d.get("claim_id", f"MADE-UP-{case.name}")))


def run_case(rule: Rule, case: RuleCase, packs: RulePacks, data_dir: Optional[str] = None) -> CaseResult:
    eng = engine_for(rule, packs, data_dir)
    eng.new_batch()
    try:
        ctx = context_from_dict(case.context)
        earlier = [_claim(b, case) for b in case.batch]
        claim = _claim(case.claim, case)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        return CaseResult(rule, case, False, f"the case's claim is not a valid JSON claim: {exc}", [])
    errors = []
    if earlier:
        _, errs = eng.evaluate(earlier, [ctx] * len(earlier) if ctx else None)
        errors.extend(errs)
    found, errs = eng.evaluate([claim], [ctx] if ctx else None)
    errors.extend(errs)
    mine: list[Finding] = [f for f in found.get(0, []) if f.rule_id == rule.id]
    if errors:
        return CaseResult(rule, case, False, "; ".join(f"{e.kind}: {e.message}" for e in errors), mine)
    if case.expect == "fire":
        if not mine:
            return CaseResult(rule, case, False, "expected the rule to fire; it did not", mine)
        if case.count is not None and len(mine) != case.count:
            return CaseResult(rule, case, False, f"expected {case.count} findings, got {len(mine)}: "
                              + "; ".join(f.message for f in mine), mine)
        return CaseResult(rule, case, True, mine[0].message, mine)
    if mine:
        return CaseResult(rule, case, False, "expected no finding, got: " + "; ".join(f.message for f in mine), mine)
    return CaseResult(rule, case, True, "no finding", mine)
