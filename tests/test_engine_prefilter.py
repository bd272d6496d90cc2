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


# MADE-UP compiled rules of the two join shapes the shipped packs have: a claim and one of its own
# lines on a date (claim created before the line's date), two diagnoses of one claim with one code.
DATE_JOIN = {"all": [{"line": {"$and": [{"t": "line"}, {"x__date_from": True}]}},
                     {"claim": {"$and": [{"t": "claim"}, {"cid": {"line": "cid"}}, {"$lt": {"r__created": {"line": "r__date_from"}}},
                                         {"x__created": True}]}}]}
CODE_JOIN = {"all": [{"dx": {"$and": [{"t": "diagnosis"}, {"$gt": {"position": 1.0}}]}},
                     {"pdx": {"$and": [{"t": "diagnosis"}, {"cid": {"dx": "cid"}}, {"$neq": {"i": {"dx": "i"}}},
                                       {"r__code": {"dx": "r__code"}}, {"position": 1.0}]}}]}
JOIN_SINKS = {f"sink_{t}": {"all": [{"x": {"t": t}}, {"y": {"$and": [{"t": "__never__"}, {"cid": {"x": "cid"}}]}}]}
              for t in ("claim", "line", "diagnosis")}
JOIN_PROJECTION = {"claim": frozenset({"t", "cid", "i", "id", "r__created", "x__created"}),
                   "line": frozenset({"t", "cid", "i", "id", "r__date_from", "x__date_from"}),
                   "diagnosis": frozenset({"t", "cid", "i", "id", "r__code", "position"})}


def _join_runner(prefilter: bool, digest: str) -> R.ShardedRunner:
    keys = {"date": 0, "code": 1}
    return R.ShardedRunner([({"date": DATE_JOIN, "code": CODE_JOIN, **JOIN_SINKS}, keys, JOIN_PROJECTION)], digest,
                           prefilter=prefilter)


def _date_claim(cid, created, *line_dates):
    facts = [{"t": "claim", "cid": cid, "i": 0, "id": f"{cid}:claim:0", "r__created": created, "x__created": created is not None}]
    facts += [{"t": "line", "cid": cid, "i": k, "id": f"{cid}:line:{k}", "r__date_from": d, "x__date_from": d is not None}
              for k, d in enumerate(line_dates)]
    return facts


def _dx_claim(cid, *codes):
    return [{"t": "diagnosis", "cid": cid, "i": k, "id": f"{cid}:diagnosis:{k}", "r__code": c, "position": float(k + 1)}
            for k, c in enumerate(codes)]


def test_join_rules_fire_the_same_and_a_claim_no_pair_can_pass_is_not_asserted(monkeypatch):
    """A claim-to-line date join and a diagnosis-to-diagnosis code join, decided per pair before the
    call: the firings are durable-rules' own (the same as with every fact asserted), values of other
    kinds (text against a number: durable-rules coerces) are still sent, and a claim none of whose
    pairs can pass makes no call at all."""
    claims = [_date_claim(1, 20260105, 20260101, 20260110),  # created before its second line's date: fires
              _date_claim(2, 20260105, 20260101, 20260105),  # never before: no pair passes
              _date_claim(3, 20260105, "20260110"),  # text against a number: not decided, sent
              _date_claim(4, 20260105.0, 20260105.5),  # numbers that differ by half a day's unit: fires
              _dx_claim(5, "E119", "I10", "E119"),  # the principal code repeated in position 3: fires
              _dx_claim(6, "E119", "I10", "J449"),  # no repeat: no pair passes
              _dx_claim(7, "E119")]  # one diagnosis: it cannot pair with itself (i differs)
    full = _join_runner(False, "c3" * 8).run([[dict(f) for f in c] for c in claims])
    calls = []
    real = R.DurableRunner._assert
    monkeypatch.setattr(R.DurableRunner, "_assert", lambda self, js: calls.append(js) or real(self, js))
    runner = _join_runner(True, "d4" * 8)
    calls.clear()  # the warm-up's call
    filtered = runner.run([[dict(f) for f in c] for c in claims])
    assert [sorted(x) for x in filtered[0]] == [sorted(x) for x in full[0]] and not filtered[1] and not full[1]
    assert [sorted(r for r, _ in x) for x in filtered[0]] == [[0], [], [0], [0], [1], [], []]
    assert sorted(int(js.split('"cid": ')[1].split(",")[0]) for js in calls) == [1, 3, 4, 5]


def test_a_refused_claim_costs_only_itself_when_the_facts_carry_the_session():
    """The projected facts carry the chunk's session id; after a refused call (the same fact twice:
    MessageObservedException) the rest of the chunk goes on in a fresh session and still fires."""
    twice = _date_claim(2, 20260101, 20260110)
    twice.append(dict(twice[1]))
    claims = [_date_claim(1, 20260101, 20260110), twice, _date_claim(3, 20260101, 20260110)]
    out, errors = _join_runner(True, "e5" * 8).run(claims)
    assert [r for r, _ in out[0]] == [0] and out[1] is None and [r for r, _ in out[2]] == [0]
    assert len(errors) == 1 and "Observed" in errors[0][1]


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
