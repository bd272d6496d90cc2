"""One regression test per durable-rules 2.0.28 pitfall the engine guards against (DESIGN.md)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from enginehelp import HEADER, claim, packs_from
from scrubber.engine import core
from scrubber.engine.core import Engine
from scrubber.fields.registry import derived_field

ROOT = Path(__file__).resolve().parent.parent


def rule(rid, body):
    return HEADER.format(id=rid) + textwrap.dedent(body).lstrip("\n")


UNITS_RULE = {"TST-U-001": rule("TST-U-001", """
    for: line
    message: "{line.code}"
    when: {all: [{fact: line, field: units, op: ge, value: 1}]}
    """)}


def _abort():
    """Die like a durable-rules abort, quietly (pytest's faulthandler would print a stack)."""
    import faulthandler

    faulthandler.disable()
    os.abort()


def run_py(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"})


def test_first_session_of_a_fresh_ruleset_fires_nothing_and_is_deleted_without_abort(tmp_path):
    """The abort on deleting the first session of a fresh ruleset: warm-up after registering."""
    packs_from(tmp_path, UNITS_RULE)
    proc = run_py(f"""
        from pathlib import Path
        from enginehelp import claim
        from scrubber.rulespec import load_packs
        from scrubber.engine.core import Engine
        eng = Engine(load_packs([Path({str(tmp_path / 'rules')!r})]), workers=0)
        found, errors = eng.evaluate([claim(lines=[{{"number": 1, "code": "99213", "units": "0"}}])])
        assert found == {{}} and errors == [], (found, errors)
        found, errors = eng.evaluate([claim(lines=[{{"number": 1, "code": "99213", "units": "2"}}])])
        assert len(found[0]) == 1
        print("ok")
        """)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_facts_no_rule_matches_do_not_cost_the_firings_of_the_call(tmp_path):
    """MessageNotHandledException on unmatched facts skips the call's actions: sink rules per fact type."""
    eng = Engine(packs_from(tmp_path, UNITS_RULE), workers=0)
    c = claim(diagnoses=[{"position": 1, "code": "I10", "qualifier": "ABK"}],
              providers=[{"role": "billing", "npi": "1234567893"}],
              lines=[{"number": 1, "code": "99213", "units": "1"}])
    found, errors = eng.evaluate([c])
    assert errors == [] and [f.rule_id for f in found[0]] == ["TST-U-001"]


def test_without_sink_rules_the_engine_reports_the_claim_instead_of_dropping_it():
    from scrubber.engine.runner import DurableRunner

    defs = {"only": {"all": [{"line": {"$and": [{"t": "line"}, {"$gte": {"units": 1}}]}}]}}
    runner = DurableRunner(defs, {"only": 0}, "f" * 12 + "nosink")
    out, errors = runner.run([[{"t": "claim", "cid": 1, "i": 0, "id": "1:claim:0"}]])
    assert out == [None] and errors and "MessageNotHandled" in errors[0][1]


def test_no_firing_is_lost_in_a_session_shared_by_many_claims(tmp_path):
    """Lost firings: one assert per claim, actions drained in the call, session deleted after the chunk."""
    eng = Engine(packs_from(tmp_path, UNITS_RULE), workers=0)
    claims = [claim(claim_id=f"MADE-UP-{k}", lines=[{"number": n + 1, "code": "99213", "units": "1"} for n in range(k % 7)])
              for k in range(300)]
    found, errors = eng.evaluate(claims)
    assert errors == []
    assert sum(len(v) for v in found.values()) == sum(k % 7 for k in range(300))


def test_more_than_1024_sessions_over_a_run_do_not_exhaust_memory(tmp_path):
    eng = Engine(packs_from(tmp_path, UNITS_RULE), workers=0)
    c = claim(lines=[{"number": 1, "code": "99213", "units": "1"}])
    for _ in range(1100):  # one session per chunk, each deleted after its chunk
        found, errors = eng.evaluate([c])
    assert errors == [] and len(found[0]) == 1


def test_an_exception_in_a_derived_field_is_a_run_error_naming_the_rule(tmp_path):
    """Swallowed exceptions: nothing a rule depends on may fail silently."""

    @derived_field("line", "made_up_explodes", type="number")
    def made_up_explodes(inp):
        raise ZeroDivisionError("MADE-UP failure")

    from scrubber.fields.registry import DERIVED

    try:
        eng = Engine(packs_from(tmp_path, {"TST-X-001": rule("TST-X-001", """
            for: line
            message: "x"
            when: {all: [{fact: line, field: made_up_explodes, op: gt, value: 0}]}
            """)}), workers=0)
        _, errors = eng.evaluate([claim(lines=[{"number": 1, "code": "99213"}])])
    finally:  # the registry is the process's vocabulary: a made-up field must not outlive its test
        DERIVED.pop(("line", "made_up_explodes"), None)
    assert [e.kind for e in errors] == ["rule-error"]
    assert "line.made_up_explodes" in errors[0].message and "TST-X-001" in errors[0].message


def test_a_call_the_engine_refuses_is_reported_and_the_claim_falls_back_not_swallowed():
    """Swallowed errors: durable-rules stored action exceptions in the session state. The engine has no
    Python action any more; what can still fail is the call itself, and that must surface."""
    from scrubber.engine.runner import DurableRunner

    defs = {"r0_0": {"all": [{"x": {"t": "claim"}}]}}
    runner = DurableRunner(defs, {"r0_0": 0}, "e" * 12 + "observed")
    fact = {"t": "claim", "cid": 1, "i": 0, "id": "1:claim:0"}
    out, errors = runner.run([[fact], [dict(fact)]])  # the same fact id twice in one session
    assert out[0] == [(0, (("x", 0),))]
    assert out[1] is None and errors and "MessageObserved" in errors[0][1]


def test_a_call_that_fails_half_way_costs_only_its_own_claim(monkeypatch):
    """Found in review: a failure after the engine had started a claim's actions left the shared
    session mid-action; the next claims then came back with no firings (looking clean) or with the
    failed claim's firings. Now the failed claim falls back and the others keep their own firings."""
    from scrubber.engine import runner as runner_mod
    from scrubber.engine.runner import DurableRunner

    defs = {"r0_0": {"all": [{"x": {"t": "line"}}]}}
    runner = DurableRunner(defs, {"r0_0": 0}, "c" * 12 + "halfway")
    real = runner_mod._dre.complete_and_start_action
    calls = {"n": 0}

    def fail_first(handle, action_handle):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("made-up engine failure")
        return real(handle, action_handle)

    monkeypatch.setattr(runner_mod._dre, "complete_and_start_action", fail_first)
    claims = [[{"t": "line", "cid": c, "i": k, "id": f"{c}:line:{k}"} for k in range(2)] for c in (1, 2, 3)]
    out, errors = runner.run(claims)
    assert out[0] is None and "made-up engine failure" in errors[0][1]
    assert [sorted(o) for o in out[1:]] == [[(0, (("x", 0),)), (0, (("x", 1),))]] * 2


def test_every_firing_is_taken_inside_the_assert_call_and_nothing_is_left_pending():
    """Lost firings: durable's host left actions to a timer thread that delete_state raced with. The
    runner takes every action inside its own call; draining the engine afterwards finds none left."""
    from scrubber.engine.runner import DurableRunner

    defs = {"r0_0": {"all": [{"x": {"t": "line"}}, {"y": {"$and": [{"t": "line"}, {"cid": {"x": "cid"}},
                                                                    {"$neq": {"i": {"x": "i"}}}]}}]}}
    runner = DurableRunner(defs, {"r0_0": 0}, "d" * 12 + "drain")
    claims = [[{"t": "line", "cid": c, "i": k, "id": f"{c}:line:{k}"} for k in range(4)] for c in (7, 8)]
    out, errors = runner.run(claims)
    assert errors == [] and [len(o) for o in out] == [12, 12] and runner.drained == 0  # 4 x 3 ordered pairs each


def test_the_same_packs_twice_in_one_process_do_not_collide(tmp_path):
    """A ruleset name can be registered once per process: names are unique per registration."""
    from scrubber.engine.runner import DurableRunner

    packs = packs_from(tmp_path, UNITS_RULE)
    a, b = Engine(packs, workers=0), Engine(packs, workers=0)
    c = claim(lines=[{"number": 1, "code": "99213", "units": "1"}])
    assert a.evaluate([c]) == b.evaluate([c])
    defs, keys, _ = core._SPECS[packs.sha256][0]
    r1 = DurableRunner(defs, keys, packs.sha256)
    r2 = DurableRunner(defs, keys, packs.sha256)
    assert r1.name != r2.name


def test_cross_fact_comparisons_after_nested_conditions_and_with_missing_fields(tmp_path):
    """Measured here: a comparison with another fact placed after a nested $or/$and was ignored or
    inverted, and a fact lacking a joined field crashed the process or lost every firing of the call."""
    eng = Engine(packs_from(tmp_path, {"TST-JN-001": rule("TST-JN-001", """
        for: line
        with: {other: line}
        message: "{line.number}<{other.number}"
        when:
          all:
            - any:
                - {fact: other, field: place_of_service, op: not_in, value: ["21"]}
                - not: {fact: other, field: units, op: exists}
            - {fact: line, field: units, op: lt, value: {fact: other, field: units}}
        """)}), workers=0)
    c = claim(lines=[{"number": 1, "code": "A", "units": "1", "place_of_service": "11"},
                     {"number": 2, "code": "B", "units": "3", "place_of_service": "11"},
                     {"number": 3, "code": "C", "place_of_service": "21"},
                     {"number": 4, "code": "D", "units": "2", "place_of_service": "21"}])
    found, errors = eng.evaluate([c])
    assert errors == []
    assert sorted(f.message for f in found[0]) == ["1<2", "4<2"]
    cf, _ = eng.build_facts([c], None)
    assert len(eng.oracle.run(cf[0])) == 2


def _crash_in_worker(monkeypatch, crash) -> None:
    """Run ``crash(chunk)`` in the forked durable-rules worker before it evaluates a chunk (the
    patched module function is what the forked worker inherits; production code has no hook)."""
    real = core._runner_for

    class Crashing:
        def __init__(self, digest):
            self.digest = digest

        def run(self, chunk):
            crash(chunk)
            return real(self.digest).run(chunk)

    monkeypatch.setattr(core, "_runner_for", Crashing)


def test_a_worker_crash_costs_a_retry_of_the_chunk_not_the_batch(tmp_path, monkeypatch):
    flag = tmp_path / "crashed-once"

    def crash_once(chunk):
        if not flag.exists():
            flag.write_text("x")
            _abort()

    _crash_in_worker(monkeypatch, crash_once)
    eng = Engine(packs_from(tmp_path, UNITS_RULE), workers=1)
    try:
        claims = [claim(claim_id=f"MADE-UP-{k}", lines=[{"number": 1, "code": "99213", "units": "1"}]) for k in range(5)]
        found, errors = eng.evaluate(claims)
    finally:
        eng.close()
    assert len(found) == 5
    assert [e.kind for e in errors] == ["engine-retry"] and "re-run and completed" in errors[0].message


def test_a_chunk_whose_worker_always_dies_falls_back_to_the_oracle(tmp_path, monkeypatch):
    _crash_in_worker(monkeypatch, lambda chunk: _abort())
    eng = Engine(packs_from(tmp_path, UNITS_RULE), workers=1)
    try:
        claims = [claim(claim_id=f"MADE-UP-{k}", lines=[{"number": 1, "code": "99213", "units": str(k % 2)}]) for k in range(6)]
        found, errors = eng.evaluate(claims)
        found2, errors2 = eng.evaluate(claims)  # the engine keeps working after a broken pool
    finally:
        eng.close()
    assert sorted(found) == [1, 3, 5] and found2 == found
    assert [e.kind for e in errors] == ["engine-retry"] and "reference evaluator" in errors[0].message


def test_an_equality_with_another_fact_beside_a_negated_test_is_not_ignored(tmp_path):
    """The intermittent agreement failure, made deterministic: a negated single-fact test (``not`` over
    ``not_in`` / ``missing``) compiled to a nested ``$or`` beside a cross-fact *equality*, and durable-rules
    ignored the equality (every line pair fired). Single-fact tests are now Python-computed tags, so
    durable-rules only sees flat equality tests on tags, presence flags and joins."""
    eng = Engine(packs_from(tmp_path, {"TST-JN-002": rule("TST-JN-002", """
        for: line
        with: {other: line}
        message: "{line.number}={other.number}"
        when:
          all:
            - not:
                any:
                  - {fact: other, field: place_of_service, op: not_in, value: ["11", "21"]}
                  - {fact: line, field: charge, op: ne, value: {fact: other, field: charge}}
            - {fact: other, field: ndc, op: missing}
        """)}), workers=0)
    c = claim(lines=[{"number": 1, "code": "A", "charge": "250.00", "place_of_service": "11"},
                     {"number": 2, "code": "B", "charge": "100.00", "place_of_service": "11"},
                     {"number": 3, "code": "C", "charge": "250.00", "place_of_service": "21"},
                     {"number": 4, "code": "D", "charge": "100.00", "place_of_service": "11"}])
    found, errors = eng.evaluate([c])
    assert errors == []
    assert sorted(f.message for f in found[0]) == ["1=3", "2=4", "3=1", "4=2"]
    cf, _ = eng.build_facts([c], None)
    assert len(eng.oracle.run(cf[0])) == 4


def test_compiled_patterns_are_flat_with_no_existence_tests():
    """What durable-rules mis-evaluates never reaches it: measured on durable-rules 2.0.28, an equality
    with another fact placed after a nested ``$or`` in the same pattern fired all 12 line pairs instead
    of the 4 with equal charges. Every pattern of the shipped packs and of 220 generated rules is one
    flat conjunction without ``$or``, ``$ex`` or ``$nex`` (sink rules aside)."""
    import random

    import rulegen
    from scrubber.engine.core import compile_packs
    from scrubber.rulespec import default_rule_dirs, load_packs
    from scrubber.rulespec.packs import PackInfo, RulePacks

    vs = rulegen.make_valuesets()
    generated = RulePacks(rules=rulegen.make_rules(random.Random(11), 220, vs), valuesets=vs,
                          packs=[PackInfo("gen", "<gen>", "0", "f1a7" * 16)])
    checked = 0
    for packs in (load_packs(default_rule_dirs()), generated):
        for defs, _keys, _proj in compile_packs(packs)[1]:
            for name, definition in defs.items():
                if name.startswith("sink_"):
                    continue
                for pattern in definition["all"]:
                    (cond,) = pattern.values()
                    items = cond["$and"] if set(cond) == {"$and"} else [cond]
                    for item in items:
                        assert set(item) & {"$or", "$and", "$ex", "$nex"} == set(), (name, item)
                    checked += 1
    assert checked > 300
