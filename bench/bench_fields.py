#!/usr/bin/env python3
"""CPU of the derived fields, relations and batch commits, and a differential check of their values.

    python bench/bench_fields.py [--claims 3000] [--seed 3] [--against /work/main] [--rounds 3]
    python bench/bench_fields.py --corpus --against /work/main      # ../shared/corpus/x12 + fixtures

Why: the facts stage is mostly derived fields (``scrubber/fields``), and the engine's loop around
them (tags, copies) is someone else's cost. This replays what ``engine/facts.py`` does for the
fields only: per claim, ``batch.begin``, every derived field of the standard plan on every fact (in
the plan's order, so the claim's scratch is shared as in a run), each relation's candidates and
pairs, then ``batch.commit``; CPU time (``time.process_time``) of each of the three parts.

``--against DIR`` runs the same measurement on another checkout's code (e.g. main) in a child
process, alternating with this checkout ``--rounds`` times (the machine is shared: only ratios
measured in one invocation count), and compares every value (type and repr) of every derived field
and relation of every fact between the two: the run fails when one differs.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _claims(args) -> list:
    from scrubber.model import ClaimRecord
    from scrubber.readers import read_stream

    if args.corpus:
        paths = sorted(p for p in (ROOT.parent / "shared" / "corpus" / "x12").iterdir() if ".837" in p.name or "837" in p.name)
        paths += sorted((ROOT / "fixtures" / "x12").glob("*"))
        out = []
        for p in paths:
            if p.is_file():
                try:
                    out += [r.claim for r in read_stream(io.BytesIO(p.read_bytes()), p.name)
                            if isinstance(r, ClaimRecord) and r.claim is not None]
                except Exception:  # a file the reader refuses is not a field's concern
                    pass
        return out
    from gen_837 import generate

    data = generate(args.claims, seed=args.seed)
    return [r.claim for r in read_stream(io.BytesIO(data), "bench.837") if isinstance(r, ClaimRecord) and r.claim is not None]


def measure(args) -> dict:
    """One measurement in this process, on the code first on sys.path."""
    from scrubber.engine.base import BaseFields, base_objects
    from scrubber.engine.facts import _derived_rows
    from scrubber.fields.registry import RELATIONS, DeriveInput
    from scrubber.pipeline import contexts_for
    from scrubber.runsetup import load_run_settings, prepare_run

    claims = _claims(args)
    prepared = prepare_run(load_run_settings({}), workers=0)
    eng = prepared.engine
    plan = eng.plan
    contexts = contexts_for(prepared.options(["-"]), claims, []) or [None] * len(claims)
    want = BaseFields.read(plan.reads)
    order = sorted(plan.fact_types, key=lambda t: (t != "claim", t))
    rows = {t: _derived_rows(plan, t) for t in order}
    rels = [RELATIONS[n] for n in sorted(plan.relations)]
    from scrubber.model import ClaimContext

    # as a run does (scrubber.pipeline's quiet GC): the claims and tables out of the cyclic GC, young
    # collections spaced, so a collection's cost is not billed to whichever field happened to allocate
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    digest = hashlib.sha256()
    best = None
    for _ in range(args.repeat):
        batch = eng.new_batch()
        t_fields = t_rel = t_commit = 0.0
        record = best is None
        for claim, ctx in zip(claims, contexts):
            ctx = ctx or ClaimContext()
            batch.begin(claim)
            objs = base_objects(claim, ctx, want)
            vals: list = []
            t0 = time.process_time()
            facts = {}
            for ftype in order:
                specs = rows[ftype]
                out = []
                for obj, values in objs.get(ftype, ()):
                    inp = DeriveInput(claim, obj, ctx, eng.refdata, batch, values)
                    for func, key, name in specs:
                        try:
                            v = func(inp)
                        except Exception as exc:
                            v = ("raised", type(exc).__name__, str(exc))
                        if record:
                            vals.append((name, type(v).__name__, repr(v)))
                    out.append(obj)
                facts[ftype] = out
            t1 = time.process_time()
            for rel in rels:
                a_objs, b_objs = facts.get(rel.from_type, []), facts.get(rel.to_type, [])
                allowed = None
                if rel.candidates is not None:
                    allowed = rel.candidates(DeriveInput(claim, claim, ctx, eng.refdata, batch, {}), a_objs, b_objs)
                for i, a in enumerate(a_objs):
                    inp = DeriveInput(claim, a, ctx, eng.refdata, batch, {})
                    for j in (range(len(b_objs)) if allowed is None else allowed.get(i, ())):
                        if rel.from_type == rel.to_type and i == j:
                            continue
                        attrs = rel.func(inp, a, b_objs[j])
                        if record and attrs is not None:
                            vals.append((rel.name, i, j, repr(attrs)))
            t2 = time.process_time()
            batch.commit(claim, ctx)
            t3 = time.process_time()
            t_fields += t1 - t0
            t_rel += t2 - t1
            t_commit += t3 - t2
            if record:
                digest.update(repr(vals).encode())
        # the loop itself (DeriveInput, one call per field and fact: the engine's cost, not the fields')
        t0 = time.process_time()
        for claim, ctx in zip(claims, contexts):
            objs = base_objects(claim, ctx or ClaimContext(), want)
            for ftype in order:
                specs = rows[ftype]
                for obj, values in objs.get(ftype, ()):
                    inp = DeriveInput(claim, obj, ctx, eng.refdata, batch, values)
                    for func, key, name in specs:
                        try:
                            v = _noop(inp)
                        except Exception as exc:
                            v = None
                        if record:
                            pass
        t_floor = time.process_time() - t0
        t_floor -= 0  # base_objects is in it: subtract a pass of it alone
        t0 = time.process_time()
        for claim, ctx in zip(claims, contexts):
            base_objects(claim, ctx or ClaimContext(), want)
        t_floor -= time.process_time() - t0
        # a claim another worker evaluated: committed without its facts (no scratch to reuse)
        cold = eng.new_batch()
        t0 = time.process_time()
        for claim, ctx in zip(claims, contexts):
            cold.commit(claim, ctx or ClaimContext())
        got = (t_fields, t_rel, t_commit, time.process_time() - t0, t_floor)
        best = got if best is None or sum(got) < sum(best) else best
    out = {"claims": len(claims), "fields": best[0], "relations": best[1], "commit": best[2], "cold_commit": best[3], "loop_floor": best[4],
           "digest": digest.hexdigest()}
    if args.per_field:
        out["per_field"] = per_field(claims, contexts, eng, order, rows, want)
    return out


def _noop(inp):
    return None


def per_field(claims, contexts, eng, order, rows, want) -> dict:
    """Seconds per derived field (a timer around each call: the sum is larger than the plain run)."""
    from scrubber.engine.base import base_objects
    from scrubber.fields.registry import DeriveInput
    from scrubber.model import ClaimContext

    spent: dict = {}
    clock = time.perf_counter_ns
    batch = eng.new_batch()
    for claim, ctx in zip(claims, contexts):
        ctx = ctx or ClaimContext()
        batch.begin(claim)
        objs = base_objects(claim, ctx, want)
        for ftype in order:
            for obj, values in objs.get(ftype, ()):
                inp = DeriveInput(claim, obj, ctx, eng.refdata, batch, values)
                for func, key, name in rows[ftype]:
                    t = clock()
                    try:
                        func(inp)
                    except Exception:
                        pass
                    k = f"{ftype}.{name}"
                    spent[k] = spent.get(k, 0) + clock() - t
        batch.commit(claim, ctx)
    return {k: v / 1e9 for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}


def child(code: Path, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(code), "--claims", str(args.claims),
           "--seed", str(args.seed), "--repeat", str(args.repeat)] + (["--corpus"] if args.corpus else []) + (
        ["--per-field"] if args.per_field else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"child on {code} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--corpus", action="store_true", help="the shared X12 corpus and fixtures/x12 instead of generated claims")
    ap.add_argument("--against", type=Path, help="another checkout to compare with (e.g. /work/main)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=1, help="passes over the claims per child (the fastest is kept)")
    ap.add_argument("--per-field", action="store_true", help="also time each derived field (a timer per call)")
    ap.add_argument("--top", type=int, default=25, help="with --per-field: how many fields to print")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        sys.path[:0] = [str(args.child), str(ROOT / "tests"), str(ROOT / "bench")]
        print(json.dumps(measure(args)))
        return 0
    try:
        print(f"load average {os.getloadavg()[0]:.1f}")
    except OSError:
        pass
    codes = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    results: dict = {name: [] for name, _ in codes}
    for _ in range(args.rounds):
        for name, code in codes:
            results[name].append(child(code, args))
    best = {name: min(rs, key=lambda r: r["fields"] + r["relations"] + r["commit"]) for name, rs in results.items()}
    for name, code in codes:
        b = best[name]
        n = b["claims"]
        print(f"{name:8s} {code}: {n:,} claims  fields {b['fields']:.3f} s  relations {b['relations']:.3f} s  "
              f"commit {b['commit']:.3f} s  ({1e6 * (b['fields'] + b['relations'] + b['commit']) / n:.0f} us a claim); "
              f"commit of a claim not evaluated here {b['cold_commit']:.3f} s; the fields' loop with no-op fields "
              f"{b['loop_floor']:.3f} s")
        for k, v in list(b.get("per_field", {}).items())[:args.top]:
            print(f"    {k:36s} {v:.3f} s")
    if args.against:
        a, t = best["against"], best["this"]
        for part in ("fields", "relations", "commit", "cold_commit"):
            print(f"  {part:10s} {a[part] / t[part] if t[part] else float('inf'):5.2f}x cheaper than {args.against}")
        print(f"  {'fields net of the loop':10s} {(a['fields'] - a['loop_floor']) / (t['fields'] - t['loop_floor']):5.2f}x cheaper")
        tot_a, tot_t = (sum(x[p] for p in ("fields", "relations", "commit")) for x in (a, t))
        print(f"  {'all':10s} {tot_a / tot_t:5.2f}x cheaper")
        digests = {r["digest"] for rs in results.values() for r in rs}
        if len(digests) != 1:
            print("DIFFERENT derived values between the two checkouts")
            return 1
        print("derived values identical (every field and relation of every fact)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
