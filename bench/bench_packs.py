#!/usr/bin/env python3
"""Benchmark the standard rule packs, and count their findings on a folder of real X12 files.

    python bench/bench_packs.py [--claims 100000] [--kind 837P] [--workers 2]
    python bench/bench_packs.py --baseline main [--claims 3000] [--repeat 3]
    python bench/bench_packs.py --corpus ../shared/corpus/x12 [--data-dir DIR]

Bench mode generates ``--claims`` claims with ``bench/gen_837.py`` into a temporary file and
reports, from the same run: the reader alone (claims/s), then read + evaluate with every
standard pack (claims/s) and the ratio. Reference data: a fresh temporary data directory with
the built-in ICD-10-CM edition and MADE-UP NCCI PTP and MUE tables written here in CMS layout
(pairs and limits over the generator's code numbers plus bulk filler rows; they are not CMS
edits), so the PTP and MUE paths do real look-ups. Every claim gets the payer-profile context
the pipeline would give it (``scrubber.config.claim_context``).

Baseline mode (``--baseline REF``) compares this tree's engine with git ref REF's on the same
generated claims and reference data, in the same run: each side evaluates in its own child process
(in-process engine, ``workers=0``), alternating sides, ``--repeat`` times; it reports CPU seconds
of the evaluate loop (best of N, ``time.process_time``: other users of the machine do not count)
as claims/s, and checks that both sides give the same findings claim by claim (rule, line,
location, message, severity). A difference is reported and the exit status is 1.

Corpus mode scrubs every file under the folder with the standard packs and the reference data
in ``--data-dir`` (default: a fresh temporary directory, i.e. the built-in ICD-10-CM edition
and no PTP / MUE / HCPCS tables) and prints findings by rule, with the share of claims each
rule flags (a rule on more than a third of the claims is a false-positive suspect).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 100  # the pipeline's chunk size (scrubber.pipeline.CHUNK)


def read_claims(paths: list[str]):
    """(claims, unreadable count) from the readers, as the pipeline reads them."""
    from scrubber.readers import iter_records
    from scrubber.model import RunError

    claims, unreadable = [], 0
    for rec in iter_records(paths):
        if isinstance(rec, RunError):
            continue
        if rec.claim is None:
            unreadable += 1
        else:
            claims.append(rec.claim)
    return claims, unreadable


def scrub(claims, refdata, workers: int):
    """Evaluate ``claims`` with every standard pack; returns (findings per claim, run errors, rule count,
    CPU seconds of the evaluate loop alone: pack loading and compiling are not in it)."""
    from scrubber.config import load_profiles
    from scrubber.config.profileset import claim_context
    from scrubber.engine.core import Engine
    from scrubber.rulespec import default_rule_dirs, load_packs

    packs = load_packs(default_rule_dirs())
    profiles = load_profiles()
    engine = Engine(packs, refdata=refdata, workers=workers)
    per_claim, errors = [], []
    t = time.process_time()
    try:
        for a in range(0, len(claims), CHUNK):
            chunk = claims[a:a + CHUNK]
            contexts = [claim_context(profiles, c) for c in chunk]
            found, errs = engine.evaluate(chunk, contexts)
            errors.extend(errs)
            per_claim.extend(found.get(k, []) for k in range(len(chunk)))
    finally:
        engine.close()
    return per_claim, errors, len(packs.rules), time.process_time() - t


# ---- made-up tables for the bench ----------------------------------------------------------------
def write_made_up_tables(folder: Path, codes: list[str], filler_rows: int, seed: int = 11) -> tuple[Path, Path]:
    """A PTP table and an MUE file in CMS layouts over ``codes``: MADE-UP pairs and values."""
    rng = random.Random(seed)
    ptp = folder / "MADE-UP-BENCH-ccipra-v320r0-f1.txt"
    with open(ptp, "w", newline="") as f:
        f.write("MADE-UP BENCHMARK TABLE IN THE CMS NCCI PTP LAYOUT: NOT CMS EDITS.\r\n\r\n")
        f.write("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
                "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\r\n")
        seen = set()
        for _ in range(len(codes) * 2):
            a, b = rng.sample(codes, 2)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            f.write(f"{a}\t{b}\t\t20200101\t*\t{rng.choice('01')}\tMADE-UP rationale\r\n")
        for k in range(filler_rows):
            f.write(f"{10000 + k % 89999:05d}\t{10000 + (k * 7919) % 89999:05d}\t\t20150101\t*\t1\tMADE-UP filler\r\n")
    mue = folder / "MADE-UP-BENCH-MUE-Practitioner-2026Q1.csv"
    with open(mue, "w", newline="") as f:
        f.write('"MADE-UP BENCHMARK FILE IN THE CMS MUE PRACTITIONER LAYOUT: NOT CMS EDITS.",,,\r\n')
        f.write('"HCPCS/\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n')
        mais = ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical")
        for c in codes:
            f.write(f"{c},{rng.randint(1, 4)},{rng.choice(mais)},MADE-UP rationale\r\n")
    return ptp, mue


def made_up_data_dir(folder: Path, filler_rows: int) -> Path:
    """A data directory under ``folder`` with the MADE-UP PTP and MUE tables imported."""
    from bench.gen_837 import INSTITUTIONAL, PROFESSIONAL
    from scrubber.refdata.ncci import import_mue, import_ptp
    from scrubber.refdata.store import Store

    codes = sorted({c for c, _, _ in PROFESSIONAL} | {h for _, h, _, _ in INSTITUTIONAL if h})
    ptp, mue = write_made_up_tables(folder, codes, filler_rows)
    data = folder / "data"
    store = Store(data)
    import_ptp(store, ptp)
    import_mue(store, mue)
    store.close()
    return data


def bench(n: int, kind: str, workers: int, filler_rows: int, profile: int = 0) -> None:
    from bench.gen_837 import generate
    from scrubber.refdata import open_refdata

    with tempfile.TemporaryDirectory(prefix="claimscrub-bench-packs-") as tmp:
        tmpd = Path(tmp)
        data = made_up_data_dir(tmpd, filler_rows)
        refdata = open_refdata(str(data))
        t = time.perf_counter()
        refdata.icd10cm_valid("E119", "2025-01-01")  # build the ICD-10-CM cache outside the timings
        icd_build = time.perf_counter() - t

        src = tmpd / f"bench.{kind.lower()}"
        src.write_bytes(generate(n, seed=1, kind=kind))
        t = time.perf_counter()
        claims, _ = read_claims([str(src)])
        read_s = time.perf_counter() - t
        t = time.perf_counter()
        claims2, _ = read_claims([str(src)])
        if profile:  # where the evaluate time goes (tottime and cumtime tops); figures then include cProfile's cost
            import cProfile
            import pstats

            prof = cProfile.Profile()
            per_claim, errors, n_rules, _ = prof.runcall(scrub, claims2, refdata, workers)
        else:
            per_claim, errors, n_rules, _ = scrub(claims2, refdata, workers)
        full_s = time.perf_counter() - t
        if profile:
            for key in ("tottime", "cumulative"):
                pstats.Stats(prof).sort_stats(key).print_stats(profile)
        by_rule = Counter(f.rule_id for fs in per_claim for f in fs)
        print(f"{len(claims)} generated {kind} claims, {n_rules} rules, workers={workers}, "
              f"made-up PTP table {filler_rows} filler rows (ICD-10-CM cache build {icd_build:.1f} s, not timed)")
        print(f"reader only:             {read_s:8.1f} s  {len(claims) / read_s:9.0f} claims/s")
        print(f"reader + standard packs: {full_s:8.1f} s  {len(claims2) / full_s:9.0f} claims/s  "
              f"({full_s / read_s:.1f}x the reader's time)")
        print(f"run errors: {len(errors)}; findings: {sum(by_rule.values())} "
              f"({', '.join(f'{k} {v}' for k, v in by_rule.most_common(8))})")
        refdata.close()


# ---- baseline comparison ------------------------------------------------------------------------
def measure_child(src: str, claims_file: str, data_dir: str, repeat: int) -> None:
    """Child process: evaluate ``claims_file`` with the engine found under ``src``; prints one JSON line
    with the best CPU time of ``repeat`` evaluations (a fresh Engine each, so batch state starts empty)
    and the findings of the first, claim by claim."""
    import hashlib
    import json

    sys.path.insert(0, src)
    for name in [m for m in sys.modules if m == "scrubber" or m.startswith("scrubber.")]:
        del sys.modules[name]
    import scrubber
    from scrubber.refdata import open_refdata

    assert Path(scrubber.__file__).resolve().is_relative_to(Path(src).resolve()), scrubber.__file__
    claims, _ = read_claims([claims_file])
    refdata = open_refdata(data_dir)
    refdata.icd10cm_valid("E119", "2025-01-01")  # load the ICD-10-CM cache outside the timing
    scrub(claims[:50], refdata, 0)  # compile the packs and warm the caches outside the timing
    best, findings = None, None
    for _ in range(repeat):
        per_claim, errors, _n, cpu = scrub(claims, refdata, 0)
        best = cpu if best is None else min(best, cpu)
        if findings is None:
            findings = [sorted((f.rule_id, f.severity, f.line, f.location_path, f.location_segment, f.message)
                               for f in fs) for fs in per_claim]
            n_errors = len(errors)
    digest = hashlib.sha256(json.dumps(findings, default=str).encode()).hexdigest()
    by_rule = Counter(f[0] for fs in findings for f in fs)
    print(json.dumps({"cpu": best, "claims": len(claims), "errors": n_errors, "digest": digest,
                      "by_rule": by_rule, "findings": findings}, default=str))


def compare_with_baseline(ref: str, n: int, kind: str, filler_rows: int, repeat: int) -> int:
    """This tree vs git ref ``ref`` on the same claims and reference data; 1 when the findings differ."""
    import json
    import subprocess

    from bench.gen_837 import generate

    with tempfile.TemporaryDirectory(prefix="claimscrub-bench-baseline-") as tmp:
        tmpd = Path(tmp)
        base = tmpd / "baseline"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        data = made_up_data_dir(tmpd, filler_rows)
        src = tmpd / f"bench.{kind.lower()}"
        src.write_bytes(generate(n, seed=1, kind=kind))
        results: dict[str, list] = {"baseline": [], "this tree": []}
        for _ in range(repeat):  # alternate the sides, so a change in load hits both alike
            for side, root in (("baseline", base), ("this tree", ROOT)):
                out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure-child", str(root),
                                      str(src), str(data)], capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"{side}: child failed\n{out.stderr[-3000:]}")
                    return 2
                results[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    b, c = results["baseline"], results["this tree"]
    cpu_b, cpu_c = min(r["cpu"] for r in b), min(r["cpu"] for r in c)
    count = c[0]["claims"]
    print(f"{count} generated {kind} claims, standard packs, in-process engine, CPU time best of {repeat} "
          f"(alternating baseline {ref} / this tree)")
    print(f"baseline {ref:12} {cpu_b:7.2f} s CPU  {count / cpu_b:8.0f} claims/s")
    print(f"this tree             {cpu_c:7.2f} s CPU  {count / cpu_c:8.0f} claims/s  ({cpu_b / cpu_c:.2f}x the baseline)")
    same = b[0]["digest"] == c[0]["digest"] and b[0]["errors"] == c[0]["errors"]
    total = sum(b[0]["by_rule"].values())
    print(f"findings: baseline {total}, this tree {sum(c[0]['by_rule'].values())}; run errors {b[0]['errors']} / "
          f"{c[0]['errors']}; claim by claim {'IDENTICAL' if same else 'DIFFERENT'}")
    if not same:
        for rule in sorted(set(b[0]["by_rule"]) | set(c[0]["by_rule"])):
            x, y = b[0]["by_rule"].get(rule, 0), c[0]["by_rule"].get(rule, 0)
            if x != y:
                print(f"  {rule}: baseline {x}, this tree {y}")
        diff = [k for k, (fb, fc) in enumerate(zip(b[0]["findings"], c[0]["findings"])) if fb != fc]
        print(f"  {len(diff)} claims differ, first: {diff[:10]}")
    return 0 if same else 1


def corpus(folder: str, data_dir: str | None, workers: int) -> None:
    from scrubber.refdata import open_refdata

    from scrubber.readers import input_files

    paths = input_files([folder])
    claims, unreadable = read_claims(paths)
    with tempfile.TemporaryDirectory(prefix="claimscrub-corpus-") as tmp:
        refdata = open_refdata(data_dir or tmp)
        per_claim, errors, n_rules, _ = scrub(claims, refdata, workers)
        refdata.close()
    by_rule = Counter(f.rule_id for fs in per_claim for f in fs)
    claims_by_rule = Counter(r for fs in per_claim for r in {f.rule_id for f in fs})
    print(f"{len(paths)} files, {len(claims)} readable claims ({unreadable} unreadable), {n_rules} rules, "
          f"{len(errors)} run errors")
    for e in errors[:5]:
        print(f"  run error: {e.kind}: {e.message}")
    print(f"{'rule':16} {'findings':>8} {'claims':>7} {'share':>6}")
    for rule, count in sorted(by_rule.items()):
        share = claims_by_rule[rule] / len(claims) if claims else 0
        flag = "  <-- more than a third of the claims" if share > 1 / 3 else ""
        print(f"{rule:16} {count:8d} {claims_by_rule[rule]:7d} {share:6.0%}{flag}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--kind", choices=("837P", "837I"), default="837P")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--filler-rows", type=int, default=200_000, help="made-up PTP rows beside the hits")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile the scrub; print the top N")
    ap.add_argument("--corpus", help="scrub this folder of X12 files and print findings by rule")
    ap.add_argument("--data-dir", help="reference data for --corpus (default: built-in ICD-10-CM only)")
    ap.add_argument("--baseline", metavar="REF", help="compare with git ref REF (CPU time, same findings)")
    ap.add_argument("--repeat", type=int, default=3, help="--baseline: runs per side (best CPU time)")
    ap.add_argument("--measure-child", nargs=3, metavar=("SRC", "CLAIMS", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_child:
        measure_child(*args.measure_child, repeat=1)
    elif args.baseline:
        sys.exit(compare_with_baseline(args.baseline, args.claims, args.kind, args.filler_rows, args.repeat))
    elif args.corpus:
        corpus(args.corpus, args.data_dir, args.workers)
    else:
        bench(args.claims, args.kind, args.workers, args.filler_rows, args.profile)


if __name__ == "__main__":
    main()
