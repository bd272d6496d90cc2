#!/usr/bin/env python3
"""Scale: end-to-end claims/s for --jobs 1 and 2, per-claim cost at two sizes, peak RSS, stages, engine vs oracle.

    python bench/bench_scale.py [--small 20000] [--large 200000] [--audit 0] [--seed 3]

Claims: bench/gen_837.py batches (MADE-UP people, real code numbers), written once to a temporary
directory. Each figure is one run of the real CLI in a subprocess (``scrub --format json`` to a file,
no ledger; ``audit run`` with the HTML report for ``--audit N``), wall time and the peak RSS of the
parent process (``wait4``; each worker is a process of its own and about as big). Ratios are taken
between runs of this one invocation: on a shared machine absolute numbers move with the load, which
is printed. Stage costs (CPU time, in this process, on ``--stage-claims`` claims): reading, payer
contexts, fact building (derived fields, relations, tags), durable-rules, findings; then the
engine's rule evaluation against the oracle's on the same facts (bench_engine.py --shipped).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]


def batch(directory: Path, n: int, seed: int) -> Path:
    from gen_837 import generate

    path = directory / f"gen-{n}-{seed}.837"
    if not path.exists():
        with open(path, "wb") as f:  # in slices of 50,000 claims: a million claims never sit in memory at once
            for k, start in enumerate(range(0, n, 50_000)):
                f.write(generate(min(50_000, n - start), seed=seed * 1000 + k))
    return path


def cli_run(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB of the CLI process, CPU seconds of it and the workers it reaped)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"claimscrub {' '.join(args)} failed ({proc.returncode}): {err[-800:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def scrub(path: Path, jobs: int, out: Path) -> tuple[float, float, float]:
    return cli_run(["scrub", str(path), "--format", "json", "-o", str(out), "--no-ledger", "--jobs", str(jobs)])


def stages(n: int, seed: int) -> None:
    """CPU seconds per stage on ``n`` claims, in this process (engine workers=0)."""
    from gen_837 import generate

    from scrubber.model import ClaimRecord
    from scrubber.pipeline import claim_result, contexts_for
    from scrubber.readers import read_stream
    from scrubber.runsetup import load_run_settings, prepare_run

    import io

    data = generate(n, seed=seed)
    prepared = prepare_run(load_run_settings({}), workers=0)
    eng = prepared.engine
    opts = prepared.options(["-"])
    t = time.process_time()
    records = [r for r in read_stream(io.BytesIO(data), "bench.837") if isinstance(r, ClaimRecord)]
    t_read = time.process_time() - t
    claims = [r.claim for r in records if r.claim is not None]
    t = time.process_time()
    contexts = contexts_for(opts, claims, [])
    t_ctx = time.process_time() - t
    chunks = [(claims[i:i + 100], contexts[i:i + 100] if contexts else None) for i in range(0, len(claims), 100)]
    t = time.process_time()
    facts = [eng.build_facts(ch, cx)[0] for ch, cx in chunks]
    t_facts = time.process_time() - t
    t = time.process_time()
    fired = [eng._engine_firings(cfs, []) for cfs in facts]
    t_rules = time.process_time() - t
    from scrubber.engine.core import _SPECS
    from scrubber.engine.runner import ShardedRunner

    unfiltered = ShardedRunner(_SPECS[eng.digest], eng.digest, prefilter=False)  # the same facts, every one asserted
    t = time.process_time()
    for cfs in facts:
        unfiltered.run([cf.all_values() for cf in cfs])
    t_unfiltered = time.process_time() - t
    t = time.process_time()
    for cfs, fs in zip(facts, fired):
        for cf, f in zip(cfs, fs):
            eng._findings(cf, f if f is not None else eng.oracle.run(cf))
    t_find = time.process_time() - t
    t = time.process_time()
    for r in records:
        claim_result(r, [])
    t_result = time.process_time() - t
    total = t_read + t_ctx + t_facts + t_rules + t_find + t_result
    print(f"stages on {len(claims):,} claims (CPU s, share):")
    for name, s in (("read (X12 -> claims)", t_read), ("payer contexts", t_ctx), ("facts (derived, relations, tags)", t_facts),
                    ("durable-rules", t_rules), ("findings", t_find), ("claim results", t_result)):
        print(f"  {name:34s} {s:7.2f}  {100 * s / total:5.1f}%  {len(claims) / s:10,.0f} claims/s")
    print(f"  {'all stages':34s} {total:7.2f}         {len(claims) / total:10,.0f} claims/s per core")
    print(f"  durable-rules without the fact pre-filter (scrubber.engine.prefilter): {t_unfiltered:.2f} s, "
          f"{t_unfiltered / t_rules:.2f}x the filtered run")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--large", type=int, default=200_000, help="0: skip the per-claim cost at the larger size")
    ap.add_argument("--audit", type=int, default=0, help="claims for an `audit run` with the HTML report (e.g. 1000000)")
    ap.add_argument("--stage-claims", type=int, default=3000)
    ap.add_argument("--engine-claims", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--dir", help="keep the generated batches here (default: a temporary directory)")
    args = ap.parse_args(argv)

    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(args.dir or tmp)
        d.mkdir(parents=True, exist_ok=True)
        small = batch(d, args.small, args.seed)
        out = Path(tmp) / "out.json"
        w1, r1, c1 = scrub(small, 1, out)
        w2, r2, c2 = scrub(small, 2, out)
        print(f"scrub --format json, {args.small:,} claims: --jobs 1 {args.small / w1:7,.0f} claims/s ({w1:.1f} s, "
              f"{r1:.0f} MB)   --jobs 2 {args.small / w2:7,.0f} claims/s ({w2:.1f} s, {r2:.0f} MB)   ratio {w1 / w2:.2f}x")
        print(f"  CPU per claim (load-independent): --jobs 1 {1e3 * c1 / args.small:.3f} ms, --jobs 2 "
              f"{1e3 * c2 / args.small:.3f} ms (the cost of every worker reading the whole input)")
        if args.large:
            large = batch(d, args.large, args.seed)
            wl, rl, cl = scrub(large, 2, out)
            print(f"per-claim cost (--jobs 2): {1e3 * w2 / args.small:.3f} ms at {args.small:,}, "
                  f"{1e3 * wl / args.large:.3f} ms at {args.large:,} (ratio {(wl / args.large) / (w2 / args.small):.2f}); "
                  f"CPU {1e3 * c2 / args.small:.3f} -> {1e3 * cl / args.large:.3f} ms (ratio "
                  f"{(cl / args.large) / (c2 / args.small):.2f}); peak RSS {r2:.0f} MB -> {rl:.0f} MB")
        if args.audit:
            big = batch(d, args.audit, args.seed)
            wa, ra, _ = cli_run(["audit", "run", str(big), "-q", "--no-ledger", "-o", str(Path(tmp) / "audit.html")])
            print(f"audit run (HTML report), {args.audit:,} claims: {wa:.0f} s ({args.audit / wa:,.0f} claims/s), "
                  f"peak RSS {ra:.0f} MB")
    stages(args.stage_claims, args.seed)
    import bench_engine

    print("engine vs oracle on the same facts (shipped packs):")
    bench_engine.main(["--shipped", "--claims", str(args.engine_claims)])
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
