#!/usr/bin/env python3
"""Cost of counting frequency limits over the ledger's history (PAY-FREQ-001 across runs).

    python bench/bench_frequency_history.py [--services 200000] [--runs 4] [--repeat 5]

Builds a ledger in a temporary directory with ``--runs`` runs of MADE-UP services under a limit
(half of each run's claims are claims of the first run scrubbed again, so the history keeps only
their latest version), then reports CPU time (best of ``--repeat``) for: recording one run's
services, ``Ledger.frequency_history()`` (what a scrub or audit reads before its first claim),
indexing it in a ``FrequencyTracker``, and checking one claim per member against a one-per-365-days
limit; with a plain ``SELECT`` of every stored row, measured in the same run, as the baseline.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

LIMIT = {"procedures": ["99385-99387", "99395-99397"], "max": 1, "per_days": 365}  # EXAMPLE limit


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return min(times), out


def main() -> None:
    from scrubber.fields.frequency import FrequencyTracker, PastService
    from scrubber.ledger import Ledger
    from scrubber.model import Claim, Payer, Person, RunInfo, RunResult, ServiceLine, Source

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rnd = random.Random(1)
    per_run = args.services // args.runs
    members = max(1, args.services // 2)
    with tempfile.TemporaryDirectory() as d, Ledger(os.path.join(d, "ledger.sqlite3")) as db:
        keys = db.keys()
        record_times = []
        for run in range(args.runs):
            services = []
            for i in range(per_run):
                again = i % 2 == 0  # a claim of the first run, scrubbed again
                cid = f"MADE-UP-0-{i}" if again else f"MADE-UP-{run}-{i}"
                member = f"MADEUP{(i if again else rnd.randrange(members)) % members:08d}"
                services.append(PastService(keys.member_key(member), keys.claim_key(member, cid), 1, "99397",
                                            date(2025, 1, 1) + timedelta(days=rnd.randrange(365))))
            result = RunResult(tool_version="bench", run=RunInfo(started="2026-01-01T00:00:00+00:00"))
            t = time.process_time()
            db.record_run(result, services=services)
            record_times.append(time.process_time() - t)
        base, rows = best(lambda: db.db.execute("SELECT member_key, claim_key, line, code, service_date"
                                                " FROM frequency_services").fetchall(), args.repeat)
        hist_t, history = best(db.frequency_history, args.repeat)
        index_t, tracker = best(lambda: FrequencyTracker(history, keys=keys), args.repeat)
        claims = [Claim(claim_id=f"MADE-UP-NEW-{m}", kind="837P", source=Source("bench"),
                        subscriber=Person(member_id=f"MADEUP{m:08d}"), payer=Payer(payer_id="MADE-UP-P"),
                        lines=(ServiceLine(number=1, code="99397", date_from=date(2025, 12, 31)),))
                  for m in range(0, members, max(1, members // 20_000))]
        t = time.process_time()
        over = sum(1 for c in claims if tracker.check_and_add(c, [LIMIT]))
        check_t = time.process_time() - t
    print(f"stored rows {len(rows):,} in {args.runs} runs; history (latest version per claim) {len(history):,}")
    print(f"baseline plain SELECT of every row  {base:7.3f} s cpu  1.0x")
    print(f"Ledger.frequency_history()          {hist_t:7.3f} s cpu  {hist_t / base:.1f}x")
    print(f"FrequencyTracker(history) index     {index_t:7.3f} s cpu  {index_t / base:.1f}x")
    print(f"record_run with {per_run:,} services   {min(record_times):7.3f} s cpu (best of {args.runs})")
    print(f"check {len(claims):,} claims (first use of each member seeds it): {check_t:.3f} s cpu, "
          f"{len(claims) / check_t if check_t else float('inf'):,.0f} claims/s, {over:,} over the limit")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
