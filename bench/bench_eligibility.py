"""Eligibility throughput: load a large CSV and check one claim per row, against a baseline.

Baseline, measured in the same run: Python's csv module reading the same file into
dicts (the least any CSV reader can do). Reports ratios, not absolute times, so the
numbers compare across machines. All data is MADE UP and generated here.

    .venv/bin/python bench/bench_eligibility.py [ROWS]
"""
from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from datetime import date, timedelta

from scrubber.model import Claim, Payer, Person, ServiceLine, Source
from scrubber.readers.eligibility import load_eligibility


def make_csv(path: str, rows: int) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["member_id", "payer_id", "plan", "coverage_start", "coverage_end", "last_name", "first_name", "birth_date"])
        for i in range(rows):
            end = "" if i % 3 else "2025-06-30"
            w.writerow([f"MADEUP{i:08d}", f"MADE-UP-P{i % 7}", "EXAMPLE", "2025-01-01", end, "DOE", "JANE", "1980-01-01"])


def claims(rows: int):
    for i in range(rows):
        dos = date(2025, 1, 1) + timedelta(days=i % 365)
        sub = Person(last_name="DOE", first_name="JANE", member_id=f"MADEUP{i:08d}", relationship="18")
        yield Claim(claim_id=f"MADE-UP-{i}", kind="837P", source=Source("bench"), service_from=dos, subscriber=sub,
                    patient=sub, payer=Payer(payer_id=f"MADE-UP-P{i % 7}"), payer_responsibility="P",
                    lines=(ServiceLine(number=1, code="99213", date_from=dos),))


def main(rows: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "made-up.csv")
        make_csv(path, rows)
        t0 = time.perf_counter()
        with open(path, newline="") as f:
            baseline_rows = sum(1 for _ in csv.DictReader(f))
        t1 = time.perf_counter()
        index, errors = load_eligibility([path])
        t2 = time.perf_counter()
        batch = list(claims(rows))
        t3 = time.perf_counter()
        statuses = [index.check(c)["status"] for c in batch]
        t4 = time.perf_counter()
    assert baseline_rows == rows == len(index) and not errors
    base = t1 - t0
    print(f"rows={rows}")
    print(f"load: {(t2 - t1) / base:.1f}x csv.DictReader baseline ({rows / (t2 - t1):,.0f} rows/s)")
    print(f"check: {(t4 - t3) / base:.1f}x baseline for {rows} claims ({rows / (t4 - t3):,.0f} claims/s)")
    print(f"statuses: {dict((s, statuses.count(s)) for s in set(statuses))}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
