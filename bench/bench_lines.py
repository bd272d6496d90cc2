#!/usr/bin/env python3
"""Cost of one claim with many service lines: wall time and peak RSS of a whole `claimscrub scrub`.

    python bench/bench_lines.py [--lines 300,1000,2000,5000] [--kind 837P] [--baseline main]

Each size is one generated claim (bench/gen_837.py's MADE-UP people and providers, real code
numbers cycled over the lines, one date of service) scrubbed with the standard packs and the
MADE-UP PTP / MUE tables of bench/bench_packs.py (so the PTP look-ups really run), each run a fresh
child process measured with ``wait4`` (wall seconds, peak RSS). ``--baseline REF`` runs git ref REF's
tree (``git archive``, pure-Python reader) on the same files in the same run, so the ratio counts,
not the machine's load. Every child runs under an address-space limit (``--mem-limit``, MB) and a
time limit (``--timeout``, s): a run that passes either is reported as such, never swaps the machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def many_lines(n: int, kind: str = "837P") -> bytes:
    """One valid claim with ``n`` service lines (envelope, counts and total charge kept right)."""
    from bench.gen_837 import INSTITUTIONAL, PROFESSIONAL, _money, generate

    segs = generate(1, seed=7, kind=kind).decode().split("~\n")
    first_lx = next(i for i, s in enumerate(segs) if s.startswith("LX*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    dtp = next(s for s in segs[first_lx:se] if s.startswith("DTP*472"))
    body, total = [], 0
    for i in range(1, n + 1):
        if kind == "837P":
            code, (lo, _), _ = PROFESSIONAL[i % len(PROFESSIONAL)]
            body += [f"LX*{i}", f"SV1*HC:{code}*{_money(lo * 100)}*UN*1***1", dtp]
        else:
            rev, code, (lo, _), _ = INSTITUTIONAL[i % len(INSTITUTIONAL)]
            body += [f"LX*{i}", f"SV2*{rev}*{'HC:' + code if code else ''}*{_money(lo * 100)}*UN*1", dtp]
        total += lo * 100
    segs = segs[:first_lx] + body + segs[se:]
    clm = next(i for i, s in enumerate(segs) if s.startswith("CLM*"))
    e = segs[clm].split("*")
    e[2] = _money(total)
    segs[clm] = "*".join(e)
    st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    e = segs[se].split("*")
    e[1] = str(se - st + 1)
    segs[se] = "*".join(e)
    return "~\n".join(segs).encode()


def run_one(root: Path, src: Path, data: Path, out: Path, mem_mb: int, timeout: float, pure: bool) -> dict:
    """Scrub ``src`` with the tree at ``root`` in a child process: wall, peak RSS, exit code, limits hit."""
    env = dict(os.environ, PYTHONPATH=str(root), CLAIMSCRUB_DATA_DIR=str(data))
    if pure:
        env["CLAIMSCRUB_PURE_READER"] = "1"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))

    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", "scrub", str(src), "--format", "json", "-o", str(out)],
                            cwd=str(root), env=env, preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = None
    while status is None:
        pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = st
            break
        if time.perf_counter() - t > timeout:
            proc.kill()
            _, st, usage = os.wait4(proc.pid, 0)
            return {"wall": time.perf_counter() - t, "rss": usage.ru_maxrss / 1024, "rc": None, "note": f"over {timeout:.0f} s"}
        time.sleep(0.02)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    rc = os.waitstatus_to_exitcode(status)
    note = ""
    if rc not in (0, 1):
        note = "MemoryError (address-space limit)" if "MemoryError" in err else f"exit {rc}: {err.strip()[-120:]}"
    return {"wall": wall, "rss": usage.ru_maxrss / 1024, "rc": rc, "note": note}


def findings_of(out: Path) -> str:
    import json
    from collections import Counter

    try:
        d = json.loads(out.read_text())
    except (OSError, ValueError):
        return "-"
    c = Counter(f["rule_id"] for cl in d["claims"] for f in cl["findings"])
    return " ".join(f"{k}:{v}" for k, v in sorted(c.items()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="300,1000,2000,5000")
    ap.add_argument("--kind", default="837P", choices=("837P", "837I"))
    ap.add_argument("--baseline", metavar="REF")
    ap.add_argument("--mem-limit", type=int, default=2048, help="address-space limit per run, MB")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.lines.split(",")]
    from bench.bench_packs import made_up_data_dir

    with tempfile.TemporaryDirectory(prefix="claimscrub-bench-lines-") as tmp:
        tmpd = Path(tmp)
        data = made_up_data_dir(tmpd, 2000)
        sides = [("this tree", ROOT, False)]
        if args.baseline:
            base = tmpd / "baseline"
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            sides.insert(0, (f"baseline {args.baseline}", base, True))
        print(f"one {args.kind} claim, standard packs, MADE-UP PTP/MUE tables; limits {args.mem_limit} MB, {args.timeout:.0f} s")
        print(f"{'lines':>6}  {'side':18} {'wall s':>7} {'peak MB':>8} {'exit':>4}  findings / note")
        for n in sizes:
            src = tmpd / f"lines{n}.{args.kind.lower()}"
            src.write_bytes(many_lines(n, args.kind))
            for name, root, pure in sides:
                out = tmpd / f"out-{n}-{len(name)}.json"
                r = run_one(root, src, data, out, args.mem_limit, args.timeout, pure)
                what = r["note"] or findings_of(out)
                print(f"{n:>6}  {name:18} {r['wall']:7.2f} {r['rss']:8.0f} {str(r['rc']):>4}  {what[:110]}")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
