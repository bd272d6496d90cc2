#!/usr/bin/env python3
"""Start-up: median wall (and CPU) of short CLI runs, optionally against another checkout.

    python bench/bench_startup.py [--runs 7] [--against /work/main] [--no-bytecode-cache] [--pre-fork BATCH]

Commands timed (each in a fresh subprocess of the checkout's own ``.venv/bin/python``, or this
interpreter when a checkout has no venv): ``scrub fixtures/claims`` (3 claims: almost all start-up),
the same without the JSON claims file (X12 only),
``rules lint rules/``, ``--version``, ``--help``. With ``--against PATH`` the two checkouts are run
alternately, command by command and run by run, so both see the same machine load; the ratio
(this / other) is printed per command. CPU is user+sys of the process and the workers it reaped.

Bytecode: installed packages ship ``.pyc`` files, so by default each checkout's modules are compiled
once into a private ``PYTHONPYCACHEPREFIX`` under the system temporary directory (neither tree is
written) and a warm-up run precedes the timed ones. ``--no-bytecode-cache`` times what a run costs
with ``PYTHONDONTWRITEBYTECODE=1`` instead (every scrubber module compiled from source on each run).

``--pre-fork BATCH`` also times how long a ``scrub BATCH --jobs 2`` takes until the first worker is
forked (everything before a claim is read): the parent exits where ``_Workers`` would fork.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "scrub 3 claims": ["scrub", "fixtures/claims", "--format", "text", "--fail-on", "never", "--no-ledger", "--jobs", "2"],
    "scrub 2 x12 claims": ["scrub", "fixtures/claims/professional.837", "fixtures/claims/institutional.837",
                          "--format", "json", "-o", os.devnull, "--no-ledger", "--jobs", "2"],
    "rules lint": ["rules", "lint", "rules/"],
    "--version": ["--version"],
    "--help": ["--help"],
}

# Runs in the child instead of ``-m scrubber``: exits where the first worker would be forked.
_PRE_FORK = """
import os, sys
import scrubber.jobs
scrubber.jobs._Workers.__init__ = lambda *a, **k: os._exit(0)
from scrubber.cli import main
main(sys.argv[1:])
"""


def python_of(checkout: Path) -> str:
    venv = checkout / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def environment(checkout: Path, bytecode: bool) -> dict:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        tag = hashlib.sha256(str(checkout.resolve()).encode()).hexdigest()[:12]
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "claimscrub-bench-startup-pyc" / tag)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def timed(checkout: Path, args: list[str], env: dict, code: str | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its reaped children) of one CLI run."""
    t = time.perf_counter()
    entry = ["-c", code] if code else ["-m", "scrubber"]
    proc = subprocess.Popen([python_of(checkout), *entry, *args], cwd=checkout, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{checkout}: claimscrub {' '.join(args)} failed: {err[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--against", type=Path, help="another checkout to compare with (run alternately)")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="compile every module from source on each run")
    ap.add_argument("--pre-fork", metavar="BATCH", help="also time scrub BATCH --jobs 2 up to the first fork")
    ap.add_argument("--only", action="append", choices=list(COMMANDS), help="time only these commands")
    args = ap.parse_args()
    checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
    envs = {c: environment(c, not args.no_bytecode_cache) for c in checkouts}
    commands = {k: v for k, v in COMMANDS.items() if not args.only or k in args.only}
    print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs each; bytecode cache "
          f"{'off' if args.no_bytecode_cache else 'on'}; checkouts: {', '.join(map(str, checkouts))}")
    for c in checkouts:  # warm-up: writes the bytecode cache, fills the page cache
        for argv in commands.values():
            timed(c, argv, envs[c])
    samples = {(c, name): [] for c in checkouts for name in commands}
    if args.pre_fork:
        commands = {**commands, "pre-fork (20k --jobs 2)": None}
        samples.update({(c, "pre-fork (20k --jobs 2)"): [] for c in checkouts})
    for _ in range(args.runs):
        for name, argv in commands.items():
            for c in checkouts:
                if argv is None:  # everything before the first claim is read
                    fork_argv = ["scrub", args.pre_fork, "--format", "json", "-o", os.devnull, "--no-ledger", "--jobs", "2"]
                    samples[c, name].append(timed(c, fork_argv, envs[c], code=_PRE_FORK))
                else:
                    samples[c, name].append(timed(c, argv, envs[c]))
    print(f"{'command':26} " + "  ".join(f"{'wall/CPU s (' + c.name + ')':>24}" for c in checkouts)
          + ("   ratio wall  ratio CPU" if len(checkouts) == 2 else ""))
    for name in commands:
        cells, medians = [], []
        for c in checkouts:
            wall = statistics.median(w for w, _ in samples[c, name])
            cpu = statistics.median(u for _, u in samples[c, name])
            medians.append((wall, cpu))
            cells.append(f"{wall:>11.3f} / {cpu:<10.3f}")
        line = f"{name:26} " + "  ".join(f"{cell:>24}" for cell in cells)
        if len(checkouts) == 2:
            (w0, u0), (w1, u1) = medians
            line += f"   {w0 / w1:>10.2f}  {u0 / u1:>9.2f}"
        print(line)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
