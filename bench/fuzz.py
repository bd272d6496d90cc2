#!/usr/bin/env python3
"""Run N mutated X12 files through the whole scrub and count what broke.

    python bench/fuzz.py N [--start K] [--rounds R] [--timeout S] [--batch B] [--list]

Case k mutates seed file k mod n (fixtures/claims/*.837 and the 837 files of ../shared/corpus/x12)
with ``random.Random(k)`` and 1..R stacked mutations (tests/fuzzkit.py), scrubs it with the standard
packs, splits it into clean and held 837s and re-reads both. Prints runs, mutated claims, crashes
(an exception escaping), schema failures, lost or duplicated claims, split failures and hangs (a
case over ``--timeout`` seconds, checked with SIGALRM), with the first example of each (``--list``:
every failing case).

``--batch B``: each run scrubs one file of B mutated files joined (tests/fuzzkit.py ``batch``): run k
holds the files single cases k*B .. k*B+B-1 would scrub, so ``N --batch B`` mutates the same
N*B files as ``N*B`` single cases, in N scrubs of multi-claim, multi-interchange batches (the
issue's unit is mutated claims: a batch counts each claim it carries). A failing batch is
re-checked piece by piece, to tell a piece's own failure from one only the joining causes.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def main(argv=None) -> int:
    import fuzzkit

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--batch", type=int, default=1, help="mutated files joined into each run's file")
    ap.add_argument("--list", action="store_true", help="print every failing case, not only the first of each kind")
    args = ap.parse_args(argv)
    seeds = fuzzkit.seed_files()
    blobs = [p.read_bytes() for p in seeds]
    h = fuzzkit.Harness()
    counts = Counter()
    examples: dict[str, str] = {}
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.perf_counter()
    try:
        for k in range(args.start, args.start + args.n):
            if args.batch > 1:
                case = fuzzkit.batch(blobs, k * args.batch, args.batch, args.rounds)
            else:
                case = fuzzkit.mutate(blobs[k % len(blobs)], k, 1 + k % args.rounds)
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                out = h.check(case, "f")
            except Hang:
                counts["hangs"] += 1
                examples.setdefault("hangs", f"case {k} {seeds[k % len(seeds)].name} {case.names}")
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            counts["runs"] += 1
            counts["mutated claims"] += out.claims
            counts["byte-count extras"] += out.extras
            if out.problems and args.list:
                alone = ""
                if args.batch > 1:
                    bad = [j for j in range(k * args.batch, (k + 1) * args.batch)
                           if h.check(fuzzkit.mutate(blobs[j % len(blobs)], j, 1 + j % args.rounds), "p").problems]
                    alone = f" (failing alone: single cases {bad})" if bad else " (no piece fails alone)"
                print(f"case {k}{alone}: {out.problems[:2]}", flush=True)
            for p in out.problems:
                kind = ("crashes" if p.startswith("exception") else "schema failures" if p.startswith(("schema", "contract"))
                        else "lost or duplicated claims" if p.startswith("lost") else "split failures")
                counts[kind] += 1
                examples.setdefault(kind, f"case {k} {seeds[k % len(seeds)].name} {case.names}: {p}")
    finally:
        h.close()
    wall = time.perf_counter() - t0
    per = f", {args.batch} mutated files joined per run" if args.batch > 1 else ""
    print(f"{args.n} cases from {len(seeds)} seed files, 1-{args.rounds} mutations each{per}, {wall:.0f} s")
    for key in ("runs", "mutated claims", "crashes", "schema failures", "lost or duplicated claims", "split failures", "hangs", "byte-count extras"):
        print(f"  {key:28} {counts[key]}")
    for kind, ex in examples.items():
        print(f"  first {kind}: {ex[:300]}")
    bad = sum(counts[k] for k in ("crashes", "schema failures", "lost or duplicated claims", "split failures", "hangs"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
