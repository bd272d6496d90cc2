"""A run freezes the objects that exist before it out of the cyclic GC and spaces young
collections (scrubber.pipeline.quiet_gc); a caller embedding claimscrub must get its GC state
back exactly as it was, after a run and after a run that raised, and a caller that froze objects
or turned collection off itself must be left alone."""
import gc

import pytest

from scrubber.pipeline import ScrubOptions, quiet_gc, run_scrub


class _Boom(Exception):
    pass


def _state():
    return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()


@pytest.fixture
def fresh_gc():
    before = _state()
    gc.unfreeze()
    yield
    gc.set_threshold(*before[1])
    (gc.enable if before[0] else gc.disable)()


def test_a_run_gives_back_the_callers_gc_state(fresh_gc, tmp_path):
    gc.set_threshold(700, 10, 10)
    before = _state()
    seen = []

    class Evaluator:
        def evaluate(self, claims, contexts=None):
            seen.append(_state())  # inside the run: frozen, young collections further apart
            return {}, []

    path = tmp_path / "made-up.json"
    path.write_text('{"claim_id": "MADE-UP-1", "lines": [{"code": "99213", "charge": 10}]}')
    result = run_scrub(ScrubOptions(paths=[str(path)], evaluator=Evaluator()))
    assert len(result.claims) == 1
    assert seen and seen[0][1][0] >= 20_000 and seen[0][2] > 0
    assert _state() == before


def test_a_run_that_raises_gives_it_back_too(fresh_gc):
    before = _state()
    with pytest.raises(_Boom):
        with quiet_gc():
            assert gc.get_freeze_count() > 0
            raise _Boom
    assert _state() == before


def test_a_caller_that_froze_objects_or_disabled_collection_is_left_alone(fresh_gc):
    gc.freeze()
    frozen = _state()
    # The exact freeze count can fall while we look (a frozen object freed by another thread, e.g. a
    # test session's Dask scheduler loop): what must hold is that quiet_gc neither changes the
    # thresholds nor unfreezes the caller's objects on its way out.
    with quiet_gc():
        assert _state()[:2] == frozen[:2] and gc.get_freeze_count() > 0
    assert _state()[:2] == frozen[:2] and gc.get_freeze_count() > 0
    gc.unfreeze()
    gc.disable()
    off = _state()
    with quiet_gc():
        assert _state() == off
    assert _state() == off
