"""durable-rules and the reference evaluator agree, firing for firing, on generated rules and claims.

Hypothesis draws rule sets (every operator, all / any / not, joins between two facts of a claim,
the points_to relation, value sets (listed and table-backed), regexes, field-to-field comparisons,
effective / expires, payer params, coverage) and a seed for a batch of claims; 50 examples x 200
claims = 10,000 claims, derandomized so every run checks the same corpus.
"""
import itertools
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import rulegen
from scrubber.engine.core import Engine
from scrubber.rulespec.packs import PackInfo, RulePacks

CLAIMS_PER_EXAMPLE = 200
_digests = itertools.count(10**6)  # one durable-rules ruleset name per example
EXAMPLES = 50


# Run in a fresh interpreter. Inside a long pytest process that has already registered other
# durable-rules rulesets (the standard packs, through the CLI tests), this comparison has been
# seen to fail intermittently: durable-rules fired a generated join rule with
# `{fact: other, field: duplicate_of, op: missing}` on line pairs whose duplicate_of is set,
# and the oracle did not. The cause is not yet known (suspect: durable-rules' process-global
# C state, or `$nex` beside joins); it is an open defect, recorded in the issue note. A CLI
# run registers one pack set per process, as this child does; `scrub --verify` reports any
# claim where the two disagree. The child runs the same 10,000 claims with the same asserts.
_CHILD = os.environ.get("SCRUBBER_TESTS_AGREEMENT_CHILD") == "1"


def test_durable_rules_and_oracle_agree_in_a_fresh_process():
    if _CHILD:
        pytest.skip("this is the child run itself")
    here = Path(__file__).resolve()
    env = {**os.environ, "SCRUBBER_TESTS_AGREEMENT_CHILD": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(here),
                           "-k", "fire_identically or ruleset_holds"],
                          cwd=here.parent.parent, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout, proc.stdout[-2000:]


child_only = pytest.mark.skipif(not _CHILD, reason="runs in its own interpreter, from "
                                "test_durable_rules_and_oracle_agree_in_a_fresh_process")


@child_only
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(rnd=st.randoms(use_true_random=False), n_rules=st.integers(min_value=6, max_value=14),
       claim_seed=st.integers(min_value=0, max_value=2**32))
def test_durable_rules_and_oracle_fire_identically(rnd, n_rules, claim_seed):
    vs = rulegen.make_valuesets()
    rules = rulegen.make_rules(rnd, n_rules, vs)  # rules drawn by hypothesis (shrinkable)
    sha = f"{next(_digests):032x}"
    rnd = random.Random(claim_seed)  # claims from a seeded generator: 200 per example
    packs = RulePacks(rules=rules, valuesets=vs, packs=[PackInfo("gen", "<gen>", "0", sha)])
    engine = Engine(packs, workers=0)
    claims = rulegen.make_claims(rnd, CLAIMS_PER_EXAMPLE)
    contexts = [rulegen.make_context(rnd) for _ in claims]
    cfs, errors = engine.build_facts(claims, contexts)
    assert not errors
    fired = engine._engine_firings(cfs, errors)
    assert not errors, errors
    total = 0
    for cf, got in zip(cfs, fired):
        want = engine.oracle.run(cf)
        total += len(want)
        assert got == want, _disagreement(rules, cf.claim.claim_id, got, want)
    assert total > 0  # the generated rules do fire


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


@child_only
def test_more_rules_than_one_durable_ruleset_holds_still_agree():
    """Error 303 (alpha stack) from ~110 rules in one ruleset, 32 properties per fact: rules are sharded."""
    rnd = random.Random(7)
    vs = rulegen.make_valuesets()
    rules = rulegen.make_rules(rnd, 220, vs)
    packs = RulePacks(rules=rules, valuesets=vs, packs=[PackInfo("gen", "<gen>", "0", f"{next(_digests):032x}")])
    engine = Engine(packs, workers=0)
    from scrubber.engine.core import _SPECS

    assert len(_SPECS[packs.sha256]) > 1
    claims = rulegen.make_claims(rnd, 60)
    cfs, errors = engine.build_facts(claims, None)
    fired = engine._engine_firings(cfs, errors)
    assert errors == []
    assert all(got == engine.oracle.run(cf) for cf, got in zip(cfs, fired))
