#!/usr/bin/env python3
"""Memory: peak RSS of the parent and of every worker of one `audit run` (HTML report, the default).

    python bench/bench_memory.py --claims 200000 [--claims 1000000] [--jobs 2] [--dir /tmp/benchdata]
    python bench/bench_memory.py --claims 20000 --claims 200000 --format json

Claims: bench/gen_837.py batches (MADE-UP people, real code numbers), written once to ``--dir``.
Each size is one run of the real CLI in a subprocess (``audit run FILE -q --no-ledger -o FILE``).
Why psutil polling rather than ``wait4``: the rusage of a reaped process folds in its children's, so
``ru_maxrss`` of the CLI is the largest of the parent and its workers, never the parent alone. The
process tree is sampled every ``--every`` seconds (RSS grows with the batch, not in spikes shorter
than that); ``wait4``'s figure (the largest process) is printed beside it as a check. With two or
more sizes the growth per 1,000 extra claims is printed for each process: the figure that must be
flat. The machine's load is printed: wall time moves with it, RSS does not. The parent's own CPU
(its last sample, without its workers') is printed too: what the parent does besides waiting for
its workers (merging their blocks, the report) is serial time at the end of the run.
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
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def measure(args: list[str], every: float) -> dict:
    """Run the CLI; wall s, CPU s, the parent's and each worker's peak RSS (MB), wait4's maxrss."""
    import psutil

    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peaks: dict[int, float] = {}
    names: dict[int, str] = {}
    parent_cpu = 0.0
    while True:
        try:
            done = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            done = True
        if done:
            break
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        try:
            times = root.cpu_times()
            parent_cpu = times.user + times.system
        except psutil.Error:
            pass
        for p in tree:
            try:
                rss = p.memory_info().rss / 2**20
            except psutil.Error:
                continue
            peaks[p.pid] = max(peaks.get(p.pid, 0.0), rss)
            names.setdefault(p.pid, "parent" if p.pid == proc.pid else "worker")
        time.sleep(every)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"claimscrub {' '.join(args)} failed ({code}): {err[-800:]}")
    workers = sorted((peaks[p] for p in peaks if names[p] == "worker"), reverse=True)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "parent_cpu": parent_cpu, "parent": peaks.get(proc.pid, 0.0),
            "workers": workers, "maxrss": usage.ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, action="append", help="batch size (repeatable; default 20000 and 200000)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--format", default="html")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--every", type=float, default=0.2, help="sampling interval, seconds")
    ap.add_argument("--dir", type=Path, default=None, help="where the generated batches are kept")
    a = ap.parse_args()
    from bench_scale import batch

    sizes = a.claims or [20_000, 200_000]
    directory = a.dir or Path(tempfile.mkdtemp(prefix="claimscrub-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for n in sizes:
            path = batch(directory, n, a.seed)
            r = measure(["audit", "run", str(path), "-q", "--no-ledger", "--format", a.format,
                         "-o", str(Path(out) / f"audit.{a.format}"), "--jobs", str(a.jobs)], a.every)
            rows.append((n, r))
            ws = ", ".join(f"{w:.0f}" for w in r["workers"]) or "-"
            print(f"{n:>9,} claims  {r['wall']:7.1f} s wall ({n / r['wall']:,.0f} claims/s), {r['cpu']:7.1f} s CPU (parent's own {r['parent_cpu']:.1f} s)  "
                  f"peak RSS parent {r['parent']:.0f} MB, workers {ws} MB (wait4 max {r['maxrss']:.0f} MB)  "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    for (n0, r0), (n1, r1) in zip(rows, rows[1:]):
        k = (n1 - n0) / 1000
        w0 = max(r0["workers"], default=0.0)
        w1 = max(r1["workers"], default=0.0)
        print(f"growth {n0:,} -> {n1:,}: parent {(r1['parent'] - r0['parent']) / k * 1024:.1f} KB per 1,000 claims, "
              f"largest worker {(w1 - w0) / k * 1024:.1f} KB per 1,000 claims")


if __name__ == "__main__":
    main()
