"""What the eligibility and payer-policy packs cost per claim, as a ratio against a baseline.

Baseline, measured in the same run on the same claims and contexts: the engine with the
integrity pack only. Then the same engine with the integrity, eligibility and payer packs,
every claim matched to a payer profile (commercial-example forced, so every payer rule has
its parameters) and checked against an eligibility CSV that covers every member. Reports
claims/s of both and their ratio. All data is MADE UP and generated here (bench/gen_837.py).

    .venv/bin/python bench/bench_payer_rules.py [CLAIMS]
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def _claims(n: int):
    from gen_837 import generate

    from scrubber.readers import read_stream

    return [r.claim for r in read_stream(io.BytesIO(generate(n, seed=7)), "bench.837") if r.claim is not None]


def _eligibility_csv(claims, path: str) -> None:
    seen = set()
    with open(path, "w") as f:
        f.write("member_id,payer_id,plan,coverage_start,coverage_end\n")
        for k, c in enumerate(claims):
            member = c.subscriber.member_id if c.subscriber else None
            payer = c.payer.payer_id if c.payer else ""
            if member and (member, payer) not in seen:
                seen.add((member, payer))
                end = "2024-12-31" if k % 5 == 0 else ""  # every fifth member's coverage has ended
                f.write(f"{member},{payer},EXAMPLE,2020-01-01,{end}\n")


def _timed(packs, claims, contexts) -> float:
    from scrubber.engine.core import Engine

    engine = Engine(packs, workers=0)
    engine.evaluate(claims[:20], contexts[:20])  # warm-up: registration and first firing
    engine.batch = type(engine.batch)()
    start = time.perf_counter()
    for a in range(0, len(claims), 100):
        engine.evaluate(claims[a:a + 100], contexts[a:a + 100])
    return len(claims) / (time.perf_counter() - start)


def main(n: int = 2000) -> None:
    from scrubber.config import load_profiles
    from scrubber.readers.eligibility import load_eligibility
    from scrubber.rulespec import RulePacks, default_rule_dirs, load_packs
    from scrubber.runsetup import PreparedRun

    claims = _claims(n)
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "elig.csv")
        _eligibility_csv(claims, csv)
        index, errors = load_eligibility([csv])
        assert not errors, errors
    profiles = load_profiles()
    run = PreparedRun(settings=None, packs=None, profiles=profiles, refdata=None, engine=None,
                      eligibility=index, forced_payer="commercial-example")
    contexts = [run.context_for(c) for c in claims]
    full = load_packs(default_rule_dirs())
    ours = ("eligibility", "payer")
    base = RulePacks(rules=[r for r in full.rules if r.pack == "integrity"], valuesets=full.valuesets,
                     packs=[p for p in full.packs if p.id == "integrity"])
    with_ours = RulePacks(rules=[r for r in full.rules if r.pack in ours or r.pack == "integrity"],
                          valuesets=full.valuesets, packs=[p for p in full.packs if p.id in ours + ("integrity",)])
    b = _timed(base, claims, contexts)
    w = _timed(with_ours, claims, contexts)
    print(f"{len(claims)} claims; baseline (integrity pack, {len(base.rules)} rules): {b:,.0f} claims/s")
    print(f"integrity + eligibility + payer ({len(with_ours.rules)} rules): {w:,.0f} claims/s; ratio {w / b:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
