#!/usr/bin/env python3
"""Reader benchmark: claims/s, MB/s and peak RSS of ``iter_records`` (compiled and pure Python) beside a bare segment split.

    python bench/bench_reader.py                      # 20,000 837P claims + a 1 GB file
    python bench/bench_reader.py --claims 50000 --big-gb 0 --kind 837I
    python bench/bench_reader.py --big-gb 0 --baseline 031f621   # this tree vs a git ref, same run

The floor is a bare split of the same bytes in the same run (decode, split on the
segment terminator, split each segment into elements): what any reader must at least do.
The reader is timed twice, each in a child interpreter: as installed (the Cython-compiled
modules when setup.py could build them) and with ``CLAIMSCRUB_PURE_READER=1`` (the .py sources).
Targets (issue 3): >= 20,000 claims/s on one core for 837P with about 3 lines a claim,
within 5x of the bare split, and peak RSS under 200 MB on a 1 GB file (measured in a
subprocess with resource.getrusage; the file is deleted afterwards).
With ``--baseline REF`` the reader of git ref REF is built as a wheel (compiled as a user's
install would be) and timed against this tree's, alternating, on the same batch: a ratio that
load on a shared machine moves much less than the claims/s figures themselves.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import gen_837  # noqa: E402


def bare_split(path: str) -> int:
    """The floor: every segment split into elements, nothing built."""
    n = 0
    with open(path, "rb") as f:
        tail = ""
        for block in iter(lambda: f.read(1 << 20), b""):
            parts = (tail + block.decode("utf-8", "replace")).split("~")
            tail = parts.pop()
            for seg in parts:
                n += len(seg.strip().split("*"))
    return n


def read_all(path: str) -> int:
    from scrubber.model import ClaimRecord
    from scrubber.readers import iter_records

    return sum(1 for r in iter_records([path]) if isinstance(r, ClaimRecord))


def best_of(fn, path: str, repeat: int) -> tuple[float, int]:
    """Best CPU time of ``repeat`` runs: on a shared machine, wall time measures the neighbours."""
    best, out = float("inf"), 0
    for _ in range(repeat):
        t = time.process_time()
        out = fn(path)
        best = min(best, time.process_time() - t)
    return best, out


_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from scrubber.model import ClaimRecord
from scrubber.readers import iter_records
t = time.perf_counter()
n = sum(1 for r in iter_records([{path!r}]) if isinstance(r, ClaimRecord))
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_IDLE = """
import resource, sys
sys.path.insert(0, {root!r})
import scrubber.readers, scrubber.readers.x12
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def big_file(path: str, gigabytes: float, kind: str) -> int:
    """A file of about ``gigabytes`` GB: copies of one batch as separate interchanges."""
    block = gen_837.generate(20_000, seed=11, kind=kind)
    isa13 = b"*000000011*"
    assert isa13 in block
    target = int(gigabytes * 1e9)
    written = copies = 0
    with open(path, "wb") as f:
        while written < target:
            copies += 1
            ctrl = f"*{copies:09d}*".encode()
            data = block.replace(isa13, ctrl).replace(b"IEA*1*000000011", b"IEA*1*" + ctrl[1:-1])
            f.write(data)
            written += len(data)
    return copies * 20_000


def measure_big(gigabytes: float, kind: str, tmp: str) -> None:
    """Peak RSS on a big file, read in a fresh subprocess (the file is made in another one, so
    that neither inherits this process's memory high-water mark)."""
    big = os.path.join(tmp, "big.837")
    root = str(HERE.parent)
    try:
        made = subprocess.run([sys.executable, __file__, "--make-big", big, str(gigabytes), kind],
                              capture_output=True, text=True, check=True).stdout
        expected = int(made)
        size = os.path.getsize(big) / 1e9
        idle = int(subprocess.run([sys.executable, "-c", _IDLE.format(root=root)], capture_output=True, text=True, check=True).stdout)
        out = subprocess.run([sys.executable, "-c", _CHILD.format(root=root, path=big)], capture_output=True, text=True, check=True).stdout.split()
        n_big, dt, rss = int(out[0]), float(out[1]), int(out[2])
        assert n_big == expected, (n_big, expected)
        print(f"big file   : {size:.2f} GB, {n_big:,} claims in {dt:.0f} s wall ({n_big / dt:,.0f} claims/s, {size * 1e3 / dt:.1f} MB/s)")
        print(f"peak RSS   : {rss / 1024:.0f} MB (interpreter with the reader imported: {idle / 1024:.0f} MB); target < 200 MB")
    finally:
        if os.path.exists(big):
            os.remove(big)


def time_reader_child(path: str, repeat: int, pure: bool, root: str = "") -> tuple[float, int, str]:
    """Best CPU time of the reader in a fresh interpreter: compiled as installed, or the .py sources;
    ``root``: the reader of the tree installed there (a baseline) instead of this one."""
    env = {k: v for k, v in os.environ.items() if k != "CLAIMSCRUB_PURE_READER"}
    if pure:
        env["CLAIMSCRUB_PURE_READER"] = "1"
    out = subprocess.run([sys.executable, __file__, "--time-reader", path, str(repeat), root], env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return float(out[0]), int(out[1]), out[2]


def build_baseline(ref: str, tmp: str) -> str:
    """Git ref ``ref`` of this repository, built as a wheel (with its compiled reader) and unpacked
    into a folder; returns the folder (put it first on sys.path to import that tree's scrubber)."""
    import zipfile

    src, wheels, target = (os.path.join(tmp, d) for d in ("baseline-src", "baseline-wheel", "baseline"))
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, src], check=True,
                   capture_output=True)
    (wheel,) = [f for f in os.listdir(wheels) if f.endswith(".whl")]
    with zipfile.ZipFile(os.path.join(wheels, wheel)) as z:
        z.extractall(target)
    return target


def compare_with_baseline(ref: str, path: str, claims: int, repeat: int, rounds: int, tmp: str) -> None:
    root = build_baseline(ref, tmp)
    sides: dict[str, list[float]] = {"baseline": [], "this tree": []}
    impls = {}
    for _ in range(rounds):  # alternate, so that a change in load hits both sides alike
        for side, where in (("baseline", root), ("this tree", "")):
            t, n, impls[side] = time_reader_child(path, repeat, pure=False, root=where)
            assert n == claims, (side, n, claims)
            sides[side].append(t)
    tb, tt = min(sides["baseline"]), min(sides["this tree"])
    print(f"baseline {ref}: {tb:7.3f} s  {claims / tb:10,.0f} claims/s  ({impls['baseline']})")
    print(f"this tree   : {tt:7.3f} s  {claims / tt:10,.0f} claims/s  ({impls['this tree']}); "
          f"{tb / tt:.2f}x the baseline (best of {rounds} alternating rounds x {repeat} reads)")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--make-big":
        print(big_file(sys.argv[2], float(sys.argv[3]), sys.argv[4]))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "--time-reader":
        if sys.argv[4]:  # a baseline tree: its scrubber, not this one
            sys.path.insert(0, sys.argv[4])
            for name in [m for m in sys.modules if m == "scrubber" or m.startswith("scrubber.")]:
                del sys.modules[name]
            import scrubber

            assert Path(scrubber.__file__).resolve().is_relative_to(Path(sys.argv[4]).resolve()), scrubber.__file__
        from scrubber.readers.x12 import implementation

        t, n = best_of(read_all, sys.argv[2], int(sys.argv[3]))
        print(t, n, implementation(), sep="\n")
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=20_000)
    ap.add_argument("--kind", choices=("837P", "837I"), default="837P")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-gb", type=float, default=1.0, help="size of the peak-RSS file in GB (0 skips it)")
    ap.add_argument("--baseline", metavar="REF", help="also time git ref REF's reader (built as a wheel), alternating with this tree's")
    ap.add_argument("--rounds", type=int, default=3, help="--baseline: alternating rounds")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="claimscrub-bench-") as tmp:
        if args.big_gb > 0:
            measure_big(args.big_gb, args.kind, tmp)
        path = os.path.join(tmp, "batch.837")
        data = gen_837.generate(args.claims, seed=1, kind=args.kind)
        Path(path).write_bytes(data)
        mb = len(data) / 1e6
        lines = data.count(b"\nLX*") / args.claims
        print(f"batch: {args.claims} {args.kind} claims, {lines:.2f} lines/claim, {mb:.1f} MB; CPU time, best of {args.repeat} (each reader in its own child interpreter); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        t_bare, _ = best_of(bare_split, path, args.repeat)
        t_read, n, impl = time_reader_child(path, args.repeat, pure=False)
        assert n == args.claims, (n, args.claims)
        t_pure, n_pure, impl_pure = time_reader_child(path, args.repeat, pure=True)
        assert n_pure == args.claims, (n_pure, args.claims)
        print(f"bare split : {t_bare:7.3f} s  {args.claims / t_bare:10,.0f} claims/s  {mb / t_bare:7.1f} MB/s")
        print(f"reader     : {t_read:7.3f} s  {args.claims / t_read:10,.0f} claims/s  {mb / t_read:7.1f} MB/s  "
              f"{t_read / t_bare:5.1f}x the split  ({impl})")
        print(f"pure reader: {t_pure:7.3f} s  {args.claims / t_pure:10,.0f} claims/s  {mb / t_pure:7.1f} MB/s  "
              f"{t_pure / t_bare:5.1f}x the split  ({impl_pure}); installed reader {t_pure / t_read:.2f}x faster")
        print(f"targets: installed reader >= 20,000 claims/s on one core and <= 5x the bare split")
        if args.baseline:
            compare_with_baseline(args.baseline, path, args.claims, args.repeat, args.rounds, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
