"""The fact pre-filter (scrubber.engine.prefilter) asserts fewer facts and never changes a firing.

What a user would notice if it were wrong: a finding missing (a fact left out that durable-rules
would have matched, e.g. through its type coercion) or a claim never evaluated. The shipped packs
run over bench/gen_837.py's MADE-UP claims (real code numbers) with and without the filter; the
hand-made rules below are MADE-UP examples of the compiled form.
"""
import io
import sys
from pathlib import Path

import pytest

from scrubber.engine import runner as R
from scrubber.engine.core import _SPECS
from scrubber.engine.prefilter import build_selector

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402

SINK = {"all": [{"x": {"t": "line"}}, {"y": {"$and": [{"t": "__never__"}, {"cid": {"x": "cid"}}]}}]}


def _line(cid, **kw):
    return {"t": "line", "cid": cid, "i": 0, "id": f"{cid}:line:0", **kw}


def _runner(defs: dict, prefilter: bool, digest: str) -> R.ShardedRunner:
    keys = {name: k for k, name in enumerate(defs)}
    projection = {"line": frozenset({"t", "cid", "i", "id", "k", "n", "s"})}
    return R.ShardedRunner([({**defs, "sink_0": SINK}, keys, projection)], digest, prefilter=prefilter)


def test_values_durable_rules_coerces_are_still_asserted():
    """durable-rules matches "1" to 1.0, true to 1.0 and "4" < 5 (measured): those facts must be sent."""
    defs = {"eq": {"all": [{"x": {"$and": [{"t": "line"}, {"k": 1.0}]}}]},
            "lt": {"all": [{"x": {"$and": [{"t": "line"}, {"$lt": {"n": 5.0}}]}}]},
            "txt": {"all": [{"x": {"$and": [{"t": "line"}, {"s": "1"}]}}]}}
    claims = [[_line(1)], [_line(2, k=1, n=4, s=1)], [_line(3, k="1.0", n="4", s="1")], [_line(4, k=True, n=True, s=True)],
              [_line(5, k=2.0, n=9.0, s="2")]]
    filtered = _runner(defs, True, "f" * 16).run([[dict(f) for f in c] for c in claims])
    full = _runner(defs, False, "e" * 16).run([[dict(f) for f in c] for c in claims])
    assert filtered == full
    assert [len(x) for x in filtered[0]] == [0, 3, 2, 2, 0]  # the last claim fails every test: nothing fires


def test_a_claim_no_rule_can_use_is_not_asserted(monkeypatch):
    defs = {"eq": {"all": [{"x": {"$and": [{"t": "line"}, {"k": 1.0}]}}]}}
    calls = []
    real = R.DurableRunner._assert
    monkeypatch.setattr(R.DurableRunner, "_assert", lambda self, js: calls.append(js) or real(self, js))
    runner = _runner(defs, True, "d" * 16)
    calls.clear()  # the warm-up's call
    out, errors = runner.run([[_line(1, k=2.0)], [_line(2, k=1.0)], [_line(3)]])
    assert out == [[], [(0, (("x", 0),))], []] and not errors
    assert len(calls) == 1 and '"cid": 2' in calls[0]


def test_a_rule_whose_other_pattern_no_fact_passes_takes_no_facts():
    """A join rule needs a fact for each pattern: with none for one, the others' facts stay out."""
    defs = {"join": {"all": [{"a": {"t": "line"}},
                             {"b": {"$and": [{"t": "rel:x"}, {"cid": {"a": "cid"}}, {"ra": {"a": "i"}}, {"g1": True}]}}]}}
    select = build_selector(defs, {"join": 0})
    rel = {"t": "rel:x", "cid": 1, "i": 0, "ra": 0, "rb": 0}
    assert select([_line(1), dict(rel, g1=False)]) == []
    assert select([_line(1), dict(rel, g1=True)]) == [_line(1), dict(rel, g1=True)]


def test_an_unknown_definition_shape_turns_the_filter_off():
    assert build_selector({"r": {"any": [{"x": {"t": "line"}}]}}, {"r": 0}) is None
    assert build_selector({"r": {"all": [{"x": {"k": 1}}]}}, {"r": 0}) is None  # no type test


@pytest.fixture(scope="module")
def shipped_facts():
    from scrubber.model import ClaimRecord
    from scrubber.pipeline import contexts_for
    from scrubber.readers import read_stream
    from scrubber.runsetup import load_run_settings, prepare_run

    prepared = prepare_run(load_run_settings({}), workers=0)
    eng = prepared.engine
    data = gen_837.generate(600, seed=5)
    claims = [r.claim for r in read_stream(io.BytesIO(data), "made-up.837") if isinstance(r, ClaimRecord) and r.claim]
    contexts = contexts_for(prepared.options(["-"]), claims, [])
    chunks = []
    for i in range(0, len(claims), 100):
        cfs, _ = eng.build_facts(claims[i:i + 100], contexts[i:i + 100] if contexts else None)
        chunks.append([cf.all_values() for cf in cfs])
    return eng, chunks


def test_shipped_packs_fire_the_same_with_and_without_the_filter(shipped_facts):
    eng, chunks = shipped_facts
    shards = _SPECS[eng.digest]
    with_filter = R.ShardedRunner(shards, "a1" * 8, prefilter=True)
    without = R.ShardedRunner(shards, "b2" * 8, prefilter=False)
    fired = 0
    for facts in chunks:
        got, errs = with_filter.run([[dict(f) for f in fs] for fs in facts])
        want, errs2 = without.run([[dict(f) for f in fs] for fs in facts])
        assert not errs and not errs2
        assert [sorted(x) for x in got] == [sorted(x) for x in want]
        fired += sum(len(x) for x in got)
    assert fired > 50  # the generated batch has findings
    sent = sum(len(sel(fs)) for _, _, sel in with_filter.shards for facts in chunks for fs in facts)
    total = sum(len(fs) for facts in chunks for fs in facts) * len(shards)
    assert sent < total / 2  # most facts match nothing and are not asserted
