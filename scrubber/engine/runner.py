"""The only module that imports durable-rules. It runs compiled rulesets the way DESIGN.md measured correct.

It drives durable-rules' C engine (``durable_rules_engine``) directly, the way durable's own Python
``Host`` / ``Ruleset`` classes do, minus what the engine does not use: there are no Python actions,
no host, no timer or dispatch threads. A firing is read from the action message the engine hands back
inside our own assert call. Guards, each with a regression test in tests/test_engine_pitfalls.py:

* no firing is left behind: after each assert, every action of the session is taken and completed
  right there (``start_action_for_state`` / ``complete_and_start_action``), then anything else the
  engine holds is drained (``start_action``), so nothing waits for a timer thread that a
  ``delete_state`` would throw away (durable's own host lost 7-40% of firings that way);
* no swallowed exceptions: with no Python action there is no exception for durable-rules to store
  in the session state; a refused call (unmatched or duplicate facts, an engine error) is an
  ``EngineCallError`` and the caller evaluates that claim with the oracle instead;
* ruleset names are unique per process (``cs<N>_<sha>``): a name can be registered only once;
* a sink rule per fact type, so no fact is ever unmatched (MessageNotHandledException);
* a warm-up right after registering (one fact that fires, then delete), against the abort on
  deleting the first session of a fresh ruleset;
* one ``assert_facts`` per claim into a session shared by the chunk; facts carry ``cid``;
  the session is deleted after the chunk (more than 1,024 live sessions raise MemoryError).
"""
from __future__ import annotations

import itertools
import json
from operator import itemgetter
from typing import Optional

import durable_rules_engine as _dre

from scrubber.engine.prefilter import build_selector

_names = itertools.count(1)
_sessions = itertools.count(1)
WARM_TYPE = "__warm__"
_NOT_HANDLED, _OBSERVED, _NO_STATE = 1, 2, 3  # durable_rules_engine.assert_facts result codes
# json.dumps(facts, ensure_ascii=False) with its encoder built once (dumps builds one per call when
# given an option); the facts are flat dicts, never circular.
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class EngineCallError(Exception):
    """durable-rules refused or failed a call for one claim (the caller falls back to the oracle)."""


class DurableRunner:
    """One registered ruleset for a compiled set of rules; ``run`` evaluates chunks of claim facts."""

    def __init__(self, definitions: dict[str, dict], rule_keys: dict[str, int], digest: str):
        """``definitions``: durable rule name -> definition (no ``run``); ``rule_keys``: name -> rule index."""
        self.name = f"cs{next(_names)}_{digest[:12]}"
        self.rule_keys = dict(rule_keys)
        self.drained = 0
        ruleset = dict(definitions)
        ruleset["__warm"] = {"all": [{"w": {"t": WARM_TYPE}}]}
        self._handle = _dre.create_ruleset(self.name, json.dumps(ruleset, ensure_ascii=False))
        self.warm_up()

    def warm_up(self) -> None:
        """Fire one rule in a throw-away session and delete it (the first-session abort work-around)."""
        fired = self._assert(json.dumps([{"sid": "warm", "id": "warm", "t": WARM_TYPE, "cid": 0, "i": 0}]))
        _dre.delete_state(self._handle, "warm")
        if [(name, binding) for name, binding, _ in fired] != [("__warm", (("w", 0),))]:
            raise EngineCallError(f"warm-up of {self.name} fired {fired}")

    def _assert(self, facts_json: str) -> list[tuple[str, tuple, set]]:
        """Assert one claim's facts; every firing as (durable rule name, ((alias, fact index), ...),
        the claim ids of the facts it matched)."""
        try:
            result = _dre.assert_facts(self._handle, facts_json)
        except Exception as exc:  # durable_rules_engine.error and friends
            raise EngineCallError(str(exc)) from None
        if result[0] == _NOT_HANDLED:
            raise EngineCallError("MessageNotHandledException")
        if result[0] == _OBSERVED:
            raise EngineCallError("MessageObservedException")
        fired: list = []
        try:
            state_handle = 0 if result[0] == _NO_STATE else result[1]
            started = _dre.start_action_for_state(self._handle, state_handle)
            if started:
                self._take_actions(started[0], started[1], state_handle, fired)
            while True:  # anything else the engine holds for this ruleset (normally nothing)
                pending = _dre.start_action(self._handle)
                if not pending:
                    break
                self.drained += 1
                self._take_actions(pending[0], pending[1], pending[2], fired)
        except EngineCallError:
            raise
        except Exception as exc:  # noqa: BLE001 - any engine failure costs this claim a fallback, never a gap
            raise EngineCallError(f"{type(exc).__name__}: {exc}") from None
        return fired

    def _take_actions(self, state_json: str, message_json: str, action_handle, fired: list) -> None:
        """Record and complete every action of one started session, as durable's Ruleset._flush_actions
        does (the session state goes back unchanged: nothing here modifies it)."""
        while message_json:
            message = json.loads(message_json)
            rule_name, matched = next(iter(message.items()))  # one action per message
            fired.append((rule_name, tuple(sorted((alias, f["i"]) for alias, f in matched.items())),
                          {f.get("cid") for f in matched.values()}))
            _dre.update_state(self._handle, state_json)
            message_json = _dre.complete_and_start_action(self._handle, action_handle)

    def new_sid(self) -> str:
        """A session id never used before in this process."""
        return f"s{next(_sessions)}"

    def run(self, claims_facts: list[list[dict]], sid: Optional[str] = None) -> tuple[list[Optional[list]], list[tuple]]:
        """Firings per claim ([(rule index, binding)], or None when the call failed) and errors
        [(what, message)]. One session for the chunk, deleted after. ``sid``: the session the facts
        already carry (``ShardedRunner`` writes it while projecting); None: each fact gets one here.

        A failed call can leave the session half-way through its actions, and the engine would then
        hand that claim's firings to the next claim's call (measured): so after any failure the
        session is thrown away and the rest of the chunk goes on in a fresh one, and a firing on facts
        of another claim is refused, never credited to the claim being asserted. A claim with no
        fact for this ruleset makes no call, and a session that got no fact is not deleted."""
        stamped = sid is not None  # the facts carry ``sid`` already (until a failure changes it)
        if sid is None:
            sid = self.new_sid()
        used = False
        keys = self.rule_keys
        out: list[Optional[list]] = []
        errors: list[tuple] = []
        encode = _encode
        try:
            for facts in claims_facts:
                if not facts:  # none of this claim's facts concern this ruleset
                    out.append([])
                    continue
                cid = facts[0].get("cid")
                if not stamped:
                    for f in facts:
                        f["sid"] = sid
                used = True
                try:
                    fired = self._assert(encode(facts))
                    strays = [name for name, _, cids in fired if cids != {cid}]
                    if strays:
                        raise EngineCallError(f"firing of {strays[0]} on facts of another claim")
                except EngineCallError as exc:
                    out.append(None)
                    errors.append(("engine", str(exc)))
                    self._drop(sid)
                    sid, stamped, used = self.new_sid(), False, False
                    continue
                if not fired:
                    out.append([])
                    continue
                got = []
                for rule_name, binding, _ in fired:
                    k = keys.get(rule_name)
                    if k is not None:
                        got.append((k, binding))
                    else:  # a sink or the warm-up rule fired: the compiled ruleset is not what we think
                        errors.append(("engine", f"unexpected firing of {rule_name}"))
                out.append(got)
        finally:
            if used:
                self._drop(sid)
        return out, errors

    def _drop(self, sid: str) -> None:
        try:
            _dre.delete_state(self._handle, sid)
        except Exception:  # noqa: BLE001 - a session that never got a fact has no state
            pass


class ShardedRunner:
    """One DurableRunner per shard (scrubber.engine.shards); a claim's firings are the union over shards,
    or None when any shard refused the claim (the caller then uses the oracle for that claim)."""

    def __init__(self, shards: list, digest: str, *, prefilter: bool = True):
        """``prefilter``: assert only the facts a shard's rules can use (scrubber.engine.prefilter);
        off, every fact of a shard's types is asserted (tests compare the two)."""
        self.shards = [(DurableRunner(defs, keys, digest), _projector(projection),
                        (build_selector(defs, keys) if prefilter else None) or _all_facts)
                       for defs, keys, projection in shards]

    def run(self, claims_facts: list[list[dict]]):
        merged: list = [[] for _ in claims_facts]
        errors: list = []
        for runner, project, select in self.shards:
            sid = runner.new_sid()
            out, errs = runner.run([project(select(facts), sid) for facts in claims_facts], sid)
            errors.extend(errs)
            for k, fired in enumerate(out):
                if fired is None or merged[k] is None:
                    merged[k] = None
                elif fired:
                    merged[k].extend(fired)
        return merged, errors


def _all_facts(facts: list[dict]) -> list[dict]:
    return facts


def _always_set(key: str) -> bool:
    """Keys every fact of its type carries: identity and join keys, tags ``g<N>``, copies and flags."""
    return key in ("t", "cid", "i", "id", "ra", "rb") or key.startswith(("r__", "x__")) or (key[:1] == "g" and key[1:].isdigit())


def _projector(projection: dict):
    """A function giving the facts of one claim as one shard sees them, each carrying the session id:
    its fact types, its keys. Tags, copies and join keys are on every fact of its type (read in one
    dict display); fields compared directly are copied when present (a missing value is an absent
    key). One generated function per fact type, precompiled once per shard: a per-fact loop over the
    keys cost more than the engine's own call. The source is built only from the compiled
    definitions' keys, each written with ``repr``."""
    by_type = {}
    for t, keys in projection.items():
        always = sorted(k for k in keys if k != "sid" and _always_set(k))
        fields = sorted(k for k in keys if not _always_set(k) and k != "sid")
        lines = ["def proj(f, sid):", "    try:",
                 "        d = {" + ", ".join(f"{k!r}: f[{k!r}]" for k in always) + "}",
                 "    except KeyError:  # a fact without a key its shard reads: send what it has",
                 f"        d = {{k: f[k] for k in {tuple(always)!r} if k in f}}"]
        lines += [f"    if {k!r} in f:\n        d[{k!r}] = f[{k!r}]" for k in fields]
        lines += ["    d['sid'] = sid", "    return d"]
        scope: dict = {}
        exec(compile("\n".join(lines), "<scrubber.engine.runner>", "exec"), {}, scope)  # noqa: S102
        by_type[t] = scope["proj"]
    get = by_type.get

    def project(facts: list[dict], sid: str) -> list[dict]:
        return [fn(f, sid) for f in facts if (fn := get(f["t"])) is not None]

    return project
