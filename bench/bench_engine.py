#!/usr/bin/env python3
"""Engine throughput: durable-rules beside the pure-Python oracle, same rules, same claims, same run.

    python bench/bench_engine.py [--claims 5000] [--rules 200] [--seed 1]

Claims: a synthetic 837P batch from bench/gen_837.py (MADE-UP people, real code numbers), read by
the real reader. Rules: ``--rules`` generated rules (tests/rulegen.py: every operator, all / any /
not, joins of two lines, line-diagnosis pointers, value sets, regexes) loaded through the real
loader. Reports claims/s (CPU time of this process; the forked-workers line: wall time) for:
building facts (Python, shared by both paths), durable-rules alone (one assert_facts per claim, a
session per 100-claim chunk), the oracle alone, full ``Engine.evaluate`` in-process and with
forked workers, and checks the two agree hit for hit.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]


def read_claims(n: int, seed: int):
    from gen_837 import generate
    from scrubber.readers import iter_records

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.837"
        data = generate(n, seed=seed, kind="837P")
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return [r.claim for r in iter_records([str(path)]) if getattr(r, "claim", None) is not None]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=5000)
    ap.add_argument("--rules", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--single-fact", action="store_true", help="only rules over one fact (no joins)")
    ap.add_argument("--loose", action="store_true", help="no selective first test (rules fire on most claims)")
    ap.add_argument("--shipped", action="store_true", help="the shipped rule packs (with reference data) instead")
    args = ap.parse_args(argv)

    import rulegen
    from scrubber.engine.core import Engine
    from scrubber.rulespec.packs import PackInfo, RulePacks

    if args.single_fact:
        rulegen.SHAPES[:] = [s for s in rulegen.SHAPES if not s[1]]
    claims = read_claims(args.claims, args.seed)
    lines = sum(len(c.lines) for c in claims)
    rnd = random.Random(args.seed)
    vs = rulegen.make_valuesets()
    refdata = None
    if args.shipped:
        from scrubber.refdata import open_refdata
        from scrubber.rulespec import default_rule_dirs, load_packs

        packs = load_packs(default_rule_dirs())
        rules = packs.rules
        refdata = open_refdata(tempfile.mkdtemp())
    else:
        rules = rulegen.make_rules(rnd, args.rules, vs, anchored=not args.loose)
        packs = RulePacks(rules=rules, valuesets=vs, packs=[PackInfo("bench", "<gen>", "0", f"{args.seed:064x}")])
    chunks = [claims[i:i + 100] for i in range(0, len(claims), 100)]
    from scrubber.engine.core import _SPECS

    print(f"{len(claims)} claims ({lines / len(claims):.1f} lines each), {len(rules)} {'shipped' if args.shipped else 'generated'} rules "
          f"({sum(len(r.aliases) > 1 for r in rules)} with joins)")

    eng = Engine(packs, refdata=refdata, workers=0)
    eng.evaluate(claims[:10])  # register, warm up, load code sets
    print(f"durable-rules rulesets (shards): {len(_SPECS[packs.sha256])}")


    t = time.process_time()
    eng.new_batch()  # each path sees the batch from its start (duplicates across claims)
    facts = [eng.build_facts(ch, None)[0] for ch in chunks]
    t_facts = time.process_time() - t

    # facts are rebuilt per path so each engine sees fresh dicts
    eng.new_batch()
    facts2 = [eng.build_facts(ch, None)[0] for ch in chunks]
    t = time.process_time()
    durable = []
    for cfs in facts2:
        durable.extend(eng._engine_firings(cfs, []))
    t_durable = time.process_time() - t

    t = time.process_time()
    oracle = [eng.oracle.run(cf) for cfs in facts for cf in cfs]
    t_oracle = time.process_time() - t

    mismatches = sum(1 for a, b in zip(durable, oracle) if a != b)
    firings = sum(len(o) for o in oracle)

    eng2 = Engine(packs, refdata=refdata, workers=0)
    t = time.process_time()
    for ch in chunks:
        eng2.evaluate(ch)
    t_eval0 = time.process_time() - t
    eng3 = Engine(packs, refdata=refdata, workers=2)
    eng3.evaluate(claims[:10])
    t = time.perf_counter()  # wall time: the workers' CPU is in other processes
    for ch in chunks:
        eng3.evaluate(ch)
    t_eval2 = time.perf_counter() - t
    eng3.close()

    n = len(claims)
    rate = lambda s: n / s  # noqa: E731
    print(f"build facts (Python, both paths)      {rate(t_facts):9.0f} claims/s")
    print(f"durable-rules (assert + drain)        {rate(t_durable):9.0f} claims/s")
    print(f"oracle (pure Python)                  {rate(t_oracle):9.0f} claims/s")
    print(f"durable / oracle                      {t_oracle / t_durable:9.2f}")
    print(f"Engine.evaluate in-process            {rate(t_eval0):9.0f} claims/s  (facts + durable-rules + findings)")
    print(f"Engine.evaluate, 2 forked workers     {rate(t_eval2):9.0f} claims/s  (wall time; the rest: CPU time)")
    print(f"firings {firings}, claims where durable-rules and the oracle differ: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
