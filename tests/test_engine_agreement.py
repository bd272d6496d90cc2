"""durable-rules and the reference evaluator agree, firing for firing, on generated rules and claims.

Generated rule sets cover every operator, all / any / not, joins between two facts of a claim, the
points_to relation, value sets (listed and table-backed), regexes, field-to-field comparisons,
effective / expires, payer params and coverage.

Two tests, both in this process (the normal suite, no child interpreter):

* a **fixed corpus**: 50 rule sets from ``random.Random(seed)`` x 200 claims = 10,000 claims, the
  same in every process; a failure names its seed (``pytest -k 'fixed_corpus and seed17'``);
* a **hypothesis property test** that explores further rule sets and shrinks a failure to a small
  example. Its examples are not the same in every process: hypothesis sometimes draws integers from
  the literals of the modules already imported (``hypothesis.internal.conjecture.providers``), so a
  pytest process that ran other tests first explores other rule sets. That is how the disagreement
  of the last session looked intermittent: it only showed in the rule sets a longer process drew.
  The engine itself is deterministic; a failure here is a real bug, with its example printed.
"""
import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import rulegen
from scrubber.engine.core import Engine
from scrubber.rulespec.packs import PackInfo, RulePacks

FIXED_SEEDS = range(50)
CLAIMS_PER_SEED = 200  # 50 x 200 = 10,000 claims
_digests = itertools.count(10**6)  # one durable-rules ruleset name per rule set


def _engine(rules, vs) -> Engine:
    packs = RulePacks(rules=rules, valuesets=vs, packs=[PackInfo("gen", "<gen>", "0", f"{next(_digests):032x}")])
    return Engine(packs, workers=0)


def _check_agreement(engine: Engine, rules, claims, contexts) -> int:
    """Asserts durable-rules and the oracle fire identically on every claim; returns the firings."""
    cfs, errors = engine.build_facts(claims, contexts)
    assert not errors
    fired = engine._engine_firings(cfs, errors)
    assert not errors, errors
    total = 0
    for cf, got in zip(cfs, fired):
        want = engine.oracle.run(cf)
        total += len(want)
        assert got == want, _disagreement(rules, cf.claim.claim_id, got, want)
    return total


@pytest.mark.parametrize("seed", FIXED_SEEDS, ids=lambda s: f"seed{s}")
def test_durable_rules_and_oracle_fire_identically_on_the_fixed_corpus(seed):
    rnd = random.Random(seed)
    vs = rulegen.make_valuesets()
    rules = rulegen.make_rules(rnd, rnd.randint(6, 14), vs)
    claims = rulegen.make_claims(rnd, CLAIMS_PER_SEED)
    contexts = [rulegen.make_context(rnd) for _ in claims]
    assert _check_agreement(_engine(rules, vs), rules, claims, contexts) > 0  # the generated rules do fire


@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(rnd=st.randoms(use_true_random=False), n_rules=st.integers(min_value=6, max_value=14),
       claim_seed=st.integers(min_value=0, max_value=2**32))
def test_durable_rules_and_oracle_fire_identically_on_explored_rule_sets(rnd, n_rules, claim_seed):
    vs = rulegen.make_valuesets()
    rules = rulegen.make_rules(rnd, n_rules, vs)  # rules drawn by hypothesis (shrinkable)
    claim_rnd = random.Random(claim_seed)
    claims = rulegen.make_claims(claim_rnd, 40)
    contexts = [rulegen.make_context(claim_rnd) for _ in claims]
    _check_agreement(_engine(rules, vs), rules, claims, contexts)


def _disagreement(rules, claim_id, got, want) -> str:
    """The failure message: the claim, the differing firings and the first rule involved (by index:
    a Rule holds dicts and is unhashable, so it must never go into a set)."""
    only_engine, only_oracle = sorted(got - want)[:5], sorted(want - got)[:5]
    first = [_raw(rules[k]) for k in sorted({k for k, _ in got ^ want})][:1]
    return f"claim {claim_id}: only durable-rules fired {only_engine}; only the oracle fired {only_oracle}; {first}"


def test_the_disagreement_message_names_the_claim_the_firings_and_the_rule():
    """The message itself must not crash (it once raised 'unhashable type: dict' and hid the real failure)."""
    rules = rulegen.make_rules(random.Random(3), 2, rulegen.make_valuesets())
    msg = _disagreement(rules, "MADE-UP-1", {(1, (("line", 0),))}, {(0, (("line", 2),))})
    assert "MADE-UP-1" in msg and "(1, (('line', 0),))" in msg and "(0, (('line', 2),))" in msg
    assert msg.endswith(repr([_raw(rules[0])]))


def _raw(rule):
    return f"{rule.id}: {rule.when!r} aliases {rule.aliases!r} effective {rule.effective} expires {rule.expires}"


def test_more_rules_than_one_durable_ruleset_holds_still_agree():
    """Error 303 (alpha stack) from ~110 rules in one ruleset, 32 properties per fact: rules are sharded."""
    rnd = random.Random(7)
    vs = rulegen.make_valuesets()
    rules = rulegen.make_rules(rnd, 220, vs)
    engine = _engine(rules, vs)
    from scrubber.engine.core import _SPECS

    assert len(_SPECS[engine.digest]) > 1
    claims = rulegen.make_claims(rnd, 60)
    _check_agreement(engine, rules, claims, None)
