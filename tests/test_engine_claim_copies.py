"""Joins the pre-filter can now decide: a comparison between the claim and one of its own facts is a
tag of that fact (``plan.engine_when``), and an equality between two facts carries a "has a
partner" flag (``FactPlan.semi_join``). What a user would notice if it were wrong: a finding lost
or added on a rule like INT-DATE-002 (line dates after the claim's creation date) or COD-DXDUP-001.

The rules and claims here are MADE-UP (tests/rulegen.py's generated claims: real code formats,
made-up people); they assert nothing about a real payer policy.
"""
import itertools
import random

import pytest

import rulegen
from enginehelp import firings_per_rule
from scrubber.engine.core import Engine, _runner_for
from scrubber.engine.plan import build_plan, engine_when
from scrubber.model.serialize import claim_from_dict
from scrubber.rulespec.packs import PackInfo, RulePacks

_digests = itertools.count(7 * 10**6)

T = lambda fact, field, op, value=None: {"fact": fact, "field": field, "op": op, **({} if value is None else {"value": value})}  # noqa: E731
REF = lambda fact, field: {"fact": fact, "field": field}  # noqa: E731

RULES = {  # MADE-UP rules of every claim-to-own-fact shape: either side, under any / not, derived fields
    "line-after-claim": ("line", {"claim": "claim"}, {"any": [T("line", "date_from", "gt", REF("claim", "service_from")),
                                                              T("line", "charge", "ge", REF("claim", "total_charge"))]}),
    "claim-not-below-limit": ("claim", {"line": "line"}, {"not": T("line", "charge", "lt", REF("claim", "param.limit"))}),
    "claim-left-ne": ("line", {"claim": "claim"}, {"all": [T("claim", "kind", "eq", "837I"),
                                                           T("claim", "total_charge", "ne", REF("line", "charge"))]}),
    "derived-vs-claim": ("line", {"claim": "claim"}, {"all": [T("line", "units_on_date", "ge", REF("claim", "diagnosis_count")),
                                                              T("claim", "total_matches_lines", "eq", True)]}),
    "dx-repeated": ("diagnosis", {"other": "diagnosis"}, {"all": [T("diagnosis", "code", "eq", REF("other", "code")),
                                                                  T("other", "position", "lt", REF("diagnosis", "position"))]}),
    "dx-not-repeated": ("diagnosis", {"other": "diagnosis"}, {"not": T("diagnosis", "code", "eq", REF("other", "code"))}),
}


def _rule(rid: str, subject: str, aliases: dict, when: dict):
    data = {"id": f"GEN-{rid.upper()}", "title": "MADE-UP", "severity": "error", "category": "data-integrity",
            "message": f"MADE-UP {{{subject}.dos}}", "for": subject, "when": when}
    with_ = {a: t for a, t in aliases.items() if a != t}
    if with_:
        data["with"] = with_
    rule, problems = rulegen.parse_rule(rulegen.load_yaml_text(rulegen.to_yaml(data), rid), rid, "gen", {})
    assert not problems, problems
    return rule


def _engine(names) -> Engine:
    rules = [_rule(n, *RULES[n]) for n in names]
    packs = RulePacks(rules=rules, valuesets={}, packs=[PackInfo("gen", "<gen>", "0", f"{next(_digests):032x}")])
    return Engine(packs, workers=0)


@pytest.mark.parametrize("seed", range(4))
def test_durable_rules_and_the_oracle_agree_on_claim_to_own_fact_joins(seed):
    engine = _engine(list(RULES))
    rnd = random.Random(seed)
    claims = rulegen.make_claims(rnd, 250)
    contexts = [rulegen.make_context(rnd) for _ in claims]
    per_rule = firings_per_rule(engine, claims, contexts)
    assert all(per_rule), dict(zip(RULES, per_rule))  # every shape fires somewhere: the check is not vacuous


def _asserted(engine: Engine, claim) -> list:
    cfs, errors = engine.build_facts([claim], None)
    assert not errors
    return [f for _, _, select in _runner_for(engine.digest).shards for f in select(cfs[0].all_values())]


LINE = {"number": 1, "code": "99213", "units": 1, "charge": "100.00", "date_from": "2024-01-02"}


def test_a_claim_whose_lines_fail_a_comparison_with_the_claim_is_not_asserted():
    """Before: the comparison was a join, so the claim fact and every line went to durable-rules."""
    engine = _engine(["line-after-claim"])
    quiet = claim_from_dict({"claim_id": "MADE-UP-Q", "service_from": "2024-01-02", "total_charge": "300.00",
                             "lines": [LINE, dict(LINE, number=2, date_from="2024-01-01")]})
    assert _asserted(engine, quiet) == []
    late = claim_from_dict({"claim_id": "MADE-UP-L", "service_from": "2024-01-01", "total_charge": "300.00",
                            "lines": [LINE]})
    assert sorted(f["t"] for f in _asserted(engine, late)) == ["claim", "line"]
    cfs, errors = engine.build_facts([quiet, late], None)
    assert [len(x) for x in engine._engine_firings(cfs, errors)] == [0, 1]


def test_a_diagnosis_no_other_diagnosis_repeats_is_not_asserted_for_an_equality_join():
    engine = _engine(["dx-repeated"])
    dx = lambda pos, code: {"position": pos, "code": code, "qualifier": "ABK" if pos == 1 else "ABF"}  # noqa: E731
    distinct = claim_from_dict({"claim_id": "MADE-UP-D", "diagnoses": [dx(1, "E119"), dx(2, "I10")], "lines": [LINE]})
    assert _asserted(engine, distinct) == []
    repeated = claim_from_dict({"claim_id": "MADE-UP-R", "diagnoses": [dx(1, "E119"), dx(2, "I10"), dx(3, "E119")],
                                "lines": [LINE]})
    assert sorted(f["i"] for f in _asserted(engine, repeated)) == [0, 2]
    cfs, errors = engine.build_facts([repeated], None)
    assert engine._engine_firings(cfs, errors) == [{(0, (("diagnosis", 2), ("other", 0)))}]


def test_the_rule_the_oracle_reads_is_left_as_written():
    rule = _rule("line-after-claim", *RULES["line-after-claim"])
    when = rule.when
    compiled = engine_when(build_plan([rule]), rule)
    assert rule.when is when and compiled != when
    assert {t.alias for t in compiled.items} == {"line"}
