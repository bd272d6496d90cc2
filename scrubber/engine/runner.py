"""The only module that imports durable-rules. It runs compiled rulesets the way DESIGN.md measured correct.

Guards, each with a regression test in tests/test_engine_pitfalls.py:

* one ``Host`` per process whose background timer threads are never started: actions run only
  inside our own calls, and anything left pending is drained (``start_action``) right after each
  assert, so no firing is left to a timer thread that a ``delete_state`` would throw away;
* ruleset names are unique per process (``cs<N>_<sha>``): a name can be registered only once;
* a sink rule per fact type, so no fact is ever unmatched (MessageNotHandledException);
* a warm-up right after registering (one fact that fires, then delete), against the abort on
  deleting the first session of a fresh ruleset;
* one ``assert_facts`` per claim into a session shared by the chunk; facts carry ``cid``;
  the session is deleted after the chunk (more than 1,024 live sessions raise MemoryError);
* actions take exactly one parameter (two means "asynchronous" to durable-rules), catch their own
  exceptions into our error list, and ``state['exception']`` is checked after every call anyway.
"""
from __future__ import annotations

import itertools
import json
from typing import Optional

import durable_rules_engine
from durable import engine as _dr

_names = itertools.count(1)
_sessions = itertools.count(1)
WARM_TYPE = "__warm__"


class EngineCallError(Exception):
    """durable-rules refused or failed a call for one claim (the caller falls back to the oracle)."""


class _QuietHost(_dr.Host):
    """A Host without the dispatch/timer threads (they race with delete_state and lose firings)."""

    def _run(self):  # noqa: D401 - overriding durable's thread starter on purpose
        return None


_HOST: Optional[_QuietHost] = None


def host() -> _QuietHost:
    global _HOST
    if _HOST is None:
        _HOST = _QuietHost()
    return _HOST


class DurableRunner:
    """One registered ruleset for a compiled set of rules; ``run`` evaluates chunks of claim facts."""

    def __init__(self, definitions: dict[str, dict], rule_keys: dict[str, int], digest: str):
        """``definitions``: durable rule name -> definition without ``run``; ``rule_keys``: name -> rule index."""
        self.name = f"cs{next(_names)}_{digest[:12]}"
        self.fired: list = []
        self.action_errors: list = []
        self.drained = 0
        ruleset = {}
        for rname, definition in definitions.items():
            ruleset[rname] = dict(definition, run=self._action(rule_keys.get(rname), rname))
        ruleset["__warm"] = {"all": [{"w": {"t": WARM_TYPE}}], "run": self._action(None, "__warm")}
        host().register_rulesets({self.name: ruleset})
        self._ruleset = host().get_ruleset(self.name)
        self.warm_up()

    def _action(self, rule_index, rname):
        fired, errors = self.fired, self.action_errors

        def action(c):  # exactly one parameter: two would make durable-rules treat it as asynchronous
            try:
                if rule_index is not None:
                    fired.append((rule_index, tuple(sorted((alias, f["i"]) for alias, f in c._m.items())), c._m))
            except Exception as exc:  # noqa: BLE001 - durable-rules would swallow it; we keep it
                errors.append((rname, f"{type(exc).__name__}: {exc}"))

        return action

    def warm_up(self) -> None:
        """Fire one rule in a throw-away session and delete it (the first-session abort work-around)."""
        self._assert([{"sid": "warm", "id": "warm", "t": WARM_TYPE, "cid": 0, "i": 0}], "warm")
        host().delete_state(self.name, "warm")
        self.fired.clear()

    def _drain(self) -> None:
        """Run any action durable-rules left pending (normally none): nothing is left to a timer thread."""
        def done(error, result):
            if error:
                self.action_errors.append(("dispatch", str(error)))

        while True:
            result = durable_rules_engine.start_action(self._ruleset._handle)
            if not result:
                return
            self.drained += 1
            self._ruleset._flush_actions(json.loads(result[0]), {"message": json.loads(result[1])}, result[2], done)

    def _assert(self, facts: list[dict], sid: str) -> None:
        try:
            host().assert_facts(self.name, facts)
        except (_dr.MessageNotHandledException, _dr.MessageObservedException) as exc:
            raise EngineCallError(f"{type(exc).__name__}") from None
        except Exception as exc:  # durable_rules_engine.error and friends
            raise EngineCallError(str(exc)) from None
        self._drain()
        state = host().get_state(self.name, sid)
        if state.get("exception"):
            self.action_errors.append(("state", str(state["exception"]).split(", traceback")[0]))
            del state["exception"]
            host().update_state(self.name, state)

    def run(self, claims_facts: list[list[dict]]) -> tuple[list[Optional[list]], list[tuple]]:
        """Firings per claim ([(rule index, binding, matched facts)], or None when the call failed)
        and action errors [(rule name, message)]. One session for the whole chunk, deleted after."""
        sid = f"s{next(_sessions)}"
        out: list[Optional[list]] = []
        errors: list[tuple] = []
        try:
            for facts in claims_facts:
                if not facts:  # none of this claim's facts concern this ruleset
                    out.append([])
                    continue
                self.fired.clear()
                self.action_errors.clear()
                for f in facts:
                    f["sid"] = sid
                try:
                    self._assert(facts, sid)
                    out.append(list(self.fired))
                except EngineCallError as exc:
                    out.append(None)
                    errors.append(("engine", str(exc)))
                errors.extend(self.action_errors)
        finally:
            self.fired.clear()
            try:
                host().delete_state(self.name, sid)
            except Exception:  # noqa: BLE001 - a session that never got a fact has no state
                pass
        return out, errors


class ShardedRunner:
    """One DurableRunner per shard (scrubber.engine.shards); a claim's firings are the union over shards,
    or None when any shard refused the claim (the caller then uses the oracle for that claim)."""

    def __init__(self, shards: list, digest: str):
        from scrubber.engine.shards import project

        self._project = project
        self.shards = [(DurableRunner(defs, keys, digest), projection) for defs, keys, projection in shards]

    def run(self, claims_facts: list[list[dict]]):
        merged: list = [[] for _ in claims_facts]
        errors: list = []
        for runner, projection in self.shards:
            out, errs = runner.run([self._project(facts, projection) for facts in claims_facts])
            errors.extend(errs)
            for k, fired in enumerate(out):
                if fired is None or merged[k] is None:
                    merged[k] = None
                else:
                    merged[k].extend(fired)
        return merged, errors
