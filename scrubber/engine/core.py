"""Engine: facts -> durable-rules (in forked workers) -> Findings, with the oracle as fallback and check.

Crash containment: durable-rules can abort or segfault (DESIGN.md). With ``workers >= 1`` each
chunk runs in a forked worker process (``concurrent.futures`` with the fork start method; the
compiled rulesets are inherited, registered and warmed up once per worker). A worker that dies
breaks the pool: the pool is rebuilt and the chunk re-run once; if it dies again the chunk is
evaluated by the oracle. Either way a ``RunError(kind="engine-retry")`` says so, and no claim
goes unevaluated. ``workers=0`` runs durable-rules in this process (tests, debugging).
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Optional

from scrubber.engine.compiler import CompileError, RuleCompiler
from scrubber.engine.shards import pack_shards
from scrubber.engine.batch import BatchState
from scrubber.engine.facts import ClaimFacts, build_claim_facts
from scrubber.engine.findings import make_finding
from scrubber.engine.oracle import Oracle
from scrubber.engine.plan import alias_type_key, build_plan
from scrubber.engine.procs import die_with_parent
from scrubber.model import Claim, ClaimContext, Finding, RunError
from scrubber.rulespec.packs import RuleLoadError, RulePacks
from scrubber.fields.registry import PROVIDERS
from scrubber.rulespec.valuesets import ValueSet

# Compiled definitions by digest, set before workers fork (they inherit this dict).
_SPECS: dict[str, list] = {}
_RUNNERS: dict[str, object] = {}
_ORACLE = "oracle"  # a chunk's marker: its worker died twice, the oracle evaluates it


def _runner_for(digest: str):
    r = _RUNNERS.get(digest)
    if r is None:
        from scrubber.engine.runner import ShardedRunner

        r = _RUNNERS[digest] = ShardedRunner(_SPECS[digest], digest)
    return r


def _work(digest: str, chunk: list[list[dict]]):
    """Runs in a worker: firings per claim without the matched facts (they stay in the parent)."""
    return _runner_for(digest).run(chunk)


_COMPILED: dict[str, tuple] = {}


def compile_packs(packs: RulePacks):
    """(plan, shards); cached by the packs' sha256."""
    shas = [r.sha256 for r in packs.rules]
    if not all(shas):  # rules built in memory (tests, bench): nothing to key a cache on
        return _compile(packs)
    hit = _COMPILED.get(packs.sha256)
    if hit is not None and hit[0] == shas:
        return hit[1]
    out = _compile(packs)
    _COMPILED[packs.sha256] = (shas, out)
    return out


def _compile(packs: RulePacks):
    """(plan, shards) -- shards: [(definitions incl. sinks, durable name -> rule index, projection)]."""
    plan = build_plan(packs.rules)
    compiler = RuleCompiler(plan)
    compiled, problems = [], []
    for k, rule in enumerate(packs.rules):
        try:
            alias_types = {a: alias_type_key(rule, a) for a in rule.aliases}
            compiled.append((k, rule, compiler.compile_rule(rule), alias_types))
        except CompileError as exc:
            problems.append(str(exc))
    shards = []
    if not problems:
        try:
            shards = [(s.definitions(), s.keys, s.projection()) for s in pack_shards(compiled)]
        except CompileError as exc:
            problems.append(str(exc))
    if problems:
        raise RuleLoadError(problems)
    return plan, shards


class Engine:
    """Evaluates claims against rule packs. Satisfies ``scrubber.pipeline.Evaluator``."""

    def __init__(self, packs: RulePacks, refdata=None, *, verify: bool = False, workers: Optional[int] = None,
                 chunk_size: int = 100):
        self.packs = packs
        self.refdata = refdata
        self.verify = verify
        self.workers = min(2, os.cpu_count() or 1) if workers is None else workers
        self.chunk_size = chunk_size
        self.plan, shards = compile_packs(packs)
        self.digest = packs.sha256
        _SPECS.setdefault(self.digest, shards)
        self.oracle = Oracle(packs.rules, self.valueset)
        self.batch = self.new_batch()
        self._vs_cache: dict[str, ValueSet] = {}
        self._memo_sets: dict[str, _MemoSet] = {}
        self._pool: Optional[ProcessPoolExecutor] = None
        self.stats = {"retries": 0, "oracle_fallbacks": 0}
        self.oracle_only = False  # set by scrubber.jobs for a chunk whose worker died twice

    # ---- value sets --------------------------------------------------------------------------
    def valueset(self, name: str) -> ValueSet:
        vs = self.packs.valuesets.get(name) or self._vs_cache.get(name)
        if vs is None:
            prefix, _, arg = name.partition(":")
            vs = ValueSet(name=name, provider=name)
            vs.bind(_memoised(PROVIDERS[prefix].resolve(arg, self.refdata)))
            self._vs_cache[name] = vs
        return vs

    def _tag_valueset(self, name: str) -> "_MemoSet":
        """The value set as the tags read it: membership remembered per code for the run (a value set
        never changes during a run, and the same codes recur on every claim). The oracle reads
        ``valueset`` itself, unremembered."""
        m = self._memo_sets.get(name)
        if m is None:
            m = self._memo_sets[name] = _MemoSet(self.valueset(name))
        return m

    def new_batch(self) -> BatchState:
        """Start a new batch (rule test cases: each case's claims are a batch of their own)."""
        used = {spec.name for specs in self.plan.derived.values() for spec in specs}
        self.batch = BatchState(self.packs.valuesets, used_fields=used)
        return self.batch

    def rulesets_info(self) -> list[dict]:
        return [{"id": p.id, "version": p.version, "sha256": p.sha256} for p in self.packs.packs]

    # ---- evaluation --------------------------------------------------------------------------
    def build_facts(self, claims: list[Claim], contexts) -> tuple[list[ClaimFacts], list[RunError]]:
        out, errors = [], []
        for k, claim in enumerate(claims):
            ctx = contexts[k] if contexts is not None else None
            cf = build_claim_facts(self.batch.next_cid(), claim, ctx, self.plan, self._tag_valueset,
                                   self.refdata, self.batch)
            self.batch.commit(claim, cf.context)
            for what, msg in cf.errors:
                users = self._rules_using(what)
                errors.append(RunError("rule-error", f"claim {claim.claim_id}: {what} raised {msg} "
                                                     f"(rules {', '.join(users) or 'none'} may miss findings)",
                                       claim.source.path, claim.source.segment))
            out.append(cf)
        return out, errors

    def _rules_using(self, what: str) -> list[str]:
        name = what.split()[-1].split(".")[-1]
        from scrubber.rulespec.model import walk

        return [r.id for r in self.packs.rules if any(t.field == name for t in walk(r.when))
                or any(a.relation == name for a in r.aliases.values())]

    def evaluate(self, claims: list[Claim], contexts: Optional[list[ClaimContext]] = None
                 ) -> tuple[dict[int, list[Finding]], list[RunError]]:
        """Findings per claim index, and run errors (rule errors, engine retries, verify mismatches)."""
        cfs, errors = self.build_facts(claims, contexts)
        firings = self._engine_firings(cfs, errors)
        findings: dict[int, list[Finding]] = {}
        for k, cf in enumerate(cfs):
            fired = firings[k]
            if fired is None:
                fired = self.oracle.run(cf)
            elif self.verify:
                expected = self.oracle.run(cf)
                if expected != fired:
                    errors.append(self._mismatch(cf, fired, expected))
                    fired = fired | expected
            found = self._findings(cf, fired)
            if found:
                findings[k] = found
        return findings, errors

    def _mismatch(self, cf: ClaimFacts, got: set, want: set) -> RunError:
        ids = lambda s: sorted({self.packs.rules[k].id for k, _ in s})  # noqa: E731
        return RunError("verify-mismatch",
                        f"claim {cf.claim.claim_id}: durable-rules and the reference evaluator disagree; "
                        f"only durable-rules fired {ids(got - want)}, only the reference fired {ids(want - got)} "
                        "(findings of both are reported)", cf.claim.source.path, cf.claim.source.segment)

    def _findings(self, cf: ClaimFacts, fired: set) -> list[Finding]:
        ctx = cf.context
        out, seen = [], set()
        for k, binding in sorted(fired):
            rule = self.packs.rules[k]
            if rule.id in ctx.disabled_rules or rule.pack in ctx.disabled_packs:
                continue
            f = make_finding(rule, binding, cf, ctx.severity_overrides.get(rule.id, rule.severity))
            key = (f.rule_id, f.line, f.location_path, f.location_segment, f.message)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return sorted(out, key=Finding.sort_key)

    def _engine_firings(self, cfs: list[ClaimFacts], errors: list[RunError]) -> list[Optional[set]]:
        if self.oracle_only:  # evaluate() runs the reference evaluator for every claim
            return [None] * len(cfs)
        facts = [cf.all_values() for cf in cfs]
        if self.workers <= 0:
            results = [_runner_for(self.digest).run(facts)]
            spans = [(0, len(cfs))]
        else:
            spans = _split(len(cfs), self.workers)
            results = self._run_in_workers([facts[a:b] for a, b in spans], cfs, spans, errors)
        out: list[Optional[set]] = [None] * len(cfs)
        for (a, b), (raw, errs) in zip(spans, results):
            for k, fired in enumerate(raw):
                if fired is _ORACLE:
                    continue
                out[a + k] = None if fired is None else {(r, bnd) for r, bnd in fired}
                if fired is None:
                    c = cfs[a + k].claim
                    errors.append(RunError("engine-error", f"claim {c.claim_id}: durable-rules refused the claim's "
                                           "facts; evaluated by the reference evaluator instead",
                                           c.source.path, c.source.segment))
            for rname, msg in errs:
                errors.append(RunError("rule-error", f"{self._rule_name(rname)}: {msg}"))
        return out

    def _rule_name(self, durable_name: str) -> str:
        k = next((keys[durable_name] for _, keys, _ in _SPECS[self.digest] if durable_name in keys), None)
        return f"rule {self.packs.rules[k].id}" if k is not None else f"engine ({durable_name})"

    def _pool_(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=die_with_parent, initargs=(os.getpid(),))
        return self._pool

    def _reset_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def _run_in_workers(self, parts, cfs, spans, errors):
        futures = [self._pool_().submit(_work, self.digest, p) for p in parts]
        results = []
        for part, fut, (a, b) in zip(parts, futures, spans):
            try:
                results.append(fut.result())
                continue
            except BrokenProcessPool:
                pass
            self._reset_pool()
            first = cfs[a].claim
            self.stats["retries"] += 1
            try:
                results.append(self._pool_().submit(_work, self.digest, part).result())
                errors.append(RunError("engine-retry", f"the durable-rules worker died on a chunk of {b - a} claims "
                                       f"(from claim {first.claim_id}); the chunk was re-run and completed",
                                       first.source.path, first.source.segment))
            except BrokenProcessPool:
                self._reset_pool()
                self.stats["oracle_fallbacks"] += 1
                errors.append(RunError("engine-retry", f"the durable-rules worker died twice on a chunk of {b - a} "
                                       f"claims (from claim {first.claim_id}); the chunk was evaluated by the "
                                       "reference evaluator instead", first.source.path, first.source.segment))
                results.append(([_ORACLE] * (b - a), []))  # evaluate() runs the oracle for these
        return results

    def close(self) -> None:
        # Wait for the pool's threads: shutdown(wait=False) here left the executor's wakeup pipe
        # closed under its manager thread, and interpreter exit then printed "Exception ignored
        # ... OSError: [Errno 9] Bad file descriptor" (CPython gh-83279 family) in some CLI runs.
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


class _MemoSet:
    """A value set whose ``contains`` answers are remembered per code."""

    __slots__ = ("_vs", "_seen")

    def __init__(self, vs: ValueSet):
        self._vs = vs
        self._seen: dict = {}

    def contains(self, code) -> bool:
        hit = self._seen.get(code)
        if hit is None:
            hit = self._seen[code] = self._vs.contains(code)
        return hit


def _memoised(member):
    """A table-backed membership test remembered per code: the reference data behind it does not change
    during a run, and the same few codes recur on every claim (tags test each fact once)."""
    seen: dict = {}

    def test(code: str) -> bool:
        hit = seen.get(code)
        if hit is None:
            hit = seen[code] = bool(member(code))
        return hit

    return test


def _split(n: int, parts: int) -> list[tuple[int, int]]:
    parts = max(1, min(parts, n))
    size = -(-n // parts) if n else 0
    return [(a, min(a + size, n)) for a in range(0, n, size)] if n else []
