"""Benchmark the reference-data store: NCCI PTP import and look-up, ICD-10-CM cache build and load.

Usage: python bench/bench_refdata.py [--rows 1400000] [--lookups 200000]

Generates a PTP table of ``--rows`` rows in the CMS practitioner layout
(notice lines, header, 7 tab-separated columns) with MADE-UP code pairs, in
a temporary directory, and reports each figure beside a baseline measured in
the same run:

- import: ``refdata import`` of the file, against just reading and splitting
  its lines in Python (the floor any importer pays);
- look-up: ``RefData.ptp_edit`` on random pairs (cold: first time, SQLite;
  warm: the in-process cache), against a plain dict look-up;
- ICD-10-CM: first use in a fresh data directory (parses the CDC tabular and
  stores it) and first use in a second process-like handle (opens SQLite only).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrubber.refdata import open_refdata  # noqa: E402
from scrubber.refdata.ncci import import_ptp  # noqa: E402
from scrubber.refdata.store import Store  # noqa: E402


def write_ptp(path: Path, rows: int, seed: int = 7) -> list[tuple[str, str]]:
    """A CMS-layout PTP table with made-up pairs; returns a sample of its pairs."""
    rng = random.Random(seed)
    sample = []
    with open(path, "w", newline="") as f:
        f.write("MADE-UP BENCHMARK TABLE IN THE CMS NCCI PTP LAYOUT: NOT CMS EDITS.\r\n\r\n")
        f.write("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
                "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\r\n")
        col1 = 10000
        n = 0
        while n < rows:
            col1 += 1
            for _ in range(rng.randint(20, 120)):
                if n >= rows:
                    break
                col2 = f"{rng.randint(10000, 99999)}"
                deleted = "*" if rng.random() < 0.8 else "20240101"
                f.write(f"{col1}\t{col2}\t\t20200101\t{deleted}\t{rng.choice('019')}\tMade-up rationale {n % 40}\r\n")
                if rng.random() < 0.001:
                    sample.append((str(col1), col2))
                n += 1
    return sample


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_400_000)
    ap.add_argument("--lookups", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "BENCH-ccipra-v320r0-f1.txt"
        t_gen, sample = timed(lambda: write_ptp(src, args.rows))
        print(f"generated {args.rows:,} PTP rows ({src.stat().st_size / 1e6:.0f} MB) in {t_gen:.1f} s")

        def split_only():
            n = 0
            with open(src, encoding="latin-1") as f:
                for line in f:
                    n += len(line.split("\t"))
            return n

        t_base, _ = timed(split_only)
        store = Store(tmpdir / "data")
        t_imp, res = timed(lambda: import_ptp(store, src))
        t_again, _ = timed(lambda: import_ptp(store, src))
        store.close()
        print(f"PTP import: {t_imp:.2f} s ({res[2]:,} rows, {res[2] / t_imp:,.0f} rows/s); "
              f"read+split baseline {t_base:.2f} s; ratio {t_imp / t_base:.1f}x; re-import (sha256 no-op) {t_again:.2f} s")

        rd = open_refdata(str(tmpdir / "data"))
        rng = random.Random(11)
        pairs = [rng.choice(sample) for _ in range(args.lookups)]
        misses = [(f"{rng.randint(10000, 99999)}", f"{rng.randint(10000, 99999)}") for _ in range(2000)]
        rd.ptp_edit("10001", "10001", "2026-02-01")  # open the store
        t_cold, _ = timed(lambda: [rd.ptp_edit(a, b, "2026-02-01") for a, b in sample])
        t_miss, _ = timed(lambda: [rd.ptp_edit(a, b, "2026-02-01") for a, b in misses])
        t_warm, _ = timed(lambda: [rd.ptp_edit(a, b, "2026-02-01") for a, b in pairs])
        table = {p: 1 for p in sample}
        t_dict, _ = timed(lambda: [table.get(p) for p in pairs])
        t_partners, _ = timed(lambda: [rd.ptp_column2_edits(a, "2026-02-01") for a, _ in sample[:500]])
        print(f"PTP look-up cold (SQLite): {t_cold / len(sample) * 1e6:.1f} us/hit, "
              f"{t_miss / len(misses) * 1e6:.1f} us/miss; warm (cache): {t_warm / len(pairs) * 1e6:.2f} us; "
              f"dict baseline {t_dict / len(pairs) * 1e6:.3f} us; warm/dict {t_warm / t_dict:.0f}x")
        print(f"column-2 partners of a code, cold: {t_partners / 500 * 1e6:.0f} us")
        rd.close()

        icd_dir = str(tmpdir / "icd")
        rd1 = open_refdata(icd_dir)
        t_build, _ = timed(lambda: rd1.icd10cm_valid("E119", "2026-05-01"))
        rd1.close()
        rd2 = open_refdata(icd_dir)
        t_load, _ = timed(lambda: rd2.icd10cm_valid("E119", "2026-05-01"))
        t_ex, _ = timed(lambda: rd2.excludes1("E109", "E119"))
        print(f"ICD-10-CM cache build (parse CDC tabular, store): {t_build:.2f} s; "
              f"load from cache: {t_load * 1000:.0f} ms (build/load {t_build / t_load:.0f}x); "
              f"Excludes1 pairs {rd2.excludes1_pair_count():,}; first excludes1() {t_ex * 1e6:.0f} us")
        codes = ["E119", "I10", "Z0000", "O80", "S0000XA", "J189"] * 20000
        t_icd, _ = timed(lambda: [rd2.icd10cm_billable(c, "2026-05-01") for c in codes])
        print(f"ICD-10-CM billable look-up warm: {t_icd / len(codes) * 1e6:.2f} us")
        rd2.close()


if __name__ == "__main__":
    main()
