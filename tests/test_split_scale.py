"""The clean / held round trip at scale: 10,000 claims.

With the project's generator (bench/gen_837.py, from the reader work) the batch is realistic
(1-12 diagnoses, 1-6 lines, several providers and payers) and read back by the real reader;
the made-up batch below (the split fixture's three claims repeated with new ids) runs always.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_split import ERROR, MADE_UP_837P, record_for, result_for
from x12_testkit import content, envelope_problems, raw_claims

from scrubber.writers.x12_split import SplitWriter

ROOT = Path(__file__).resolve().parent.parent
N = 10_000  # the issue: the round trip holds on 10,000 generated claims


def made_up_batch(copies: int) -> str:
    """The fixture's transaction body repeated ``copies`` times, claim ids and HL ids made unique."""
    lines = MADE_UP_837P.splitlines()
    head, body, tail = lines[:7], lines[7:-3], lines[-2:]
    out = list(head)
    for k in range(copies):
        for seg in body:
            if seg.startswith("HL*"):
                e = seg.rstrip("~").split("*")
                e[1] = str(int(e[1]) + 5 * k)
                e[2] = str(int(e[2]) + 5 * k) if e[2] else ""
                seg = "*".join(e) + "~"
            out.append(seg.replace("CLM*MADE-UP-", f"CLM*MADE-UP-{k}-"))
    return "\n".join(out + [f"SE*{len(out) - 2 + 1}*0001~"] + tail) + "\n"


def split_and_check(tmp_path, raws):
    clean, held = tmp_path / "clean.837", tmp_path / "held.837"
    with SplitWriter(str(clean), str(held), "error", control_start=1) as writer:
        for i, raw in enumerate(raws):
            rec = record_for(raw)
            writer.add(rec, result_for(rec, (ERROR,) if i % 7 == 3 else ()))
        summary = writer.close()
    clean_text, held_text = clean.read_text(), held.read_text()
    assert envelope_problems(clean_text) == [] and envelope_problems(held_text) == []
    back_clean, back_held = raw_claims(clean_text), raw_claims(held_text)
    assert [content(r) for r in back_clean] == [content(r) for i, r in enumerate(raws) if i % 7 != 3]
    assert [content(r) for r in back_held] == [content(r) for i, r in enumerate(raws) if i % 7 == 3]
    assert summary.clean_claims + summary.held_claims == len(raws)
    return clean, held


def test_round_trip_of_10000_made_up_claims(tmp_path):
    text = made_up_batch(-(-N // 3))  # 3,334 copies of 3 claims
    assert envelope_problems(text) == []
    raws = raw_claims(text)[:N]
    assert len(raws) == N
    split_and_check(tmp_path, raws)


def _generator():
    path = ROOT / "bench" / "gen_837.py"
    if not path.exists():
        pytest.skip("bench/gen_837.py (the reader's generator) has not landed on this branch yet")
    spec = importlib.util.spec_from_file_location("gen_837", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_back(path):
    """What the real reader makes of a file: claims without ``source`` (file and control numbers
    change in the split; Claim equality already ignores ``locs`` and ``raw``), the reader's own
    findings per claim (rule ids), and its run errors."""
    import dataclasses

    from scrubber.model import ClaimRecord
    from scrubber.readers import iter_records

    claims, findings, errors = [], [], []
    for r in iter_records([str(path)]):
        if not isinstance(r, ClaimRecord):
            errors.append(r)
        elif r.claim is not None:
            claims.append(dataclasses.replace(r.claim, source=None))
            findings.append(sorted(f.rule_id for f in r.findings))
    return claims, findings, errors


@pytest.mark.parametrize("kind, n", [("837P", N), ("837I", 2_000)])  # 837I smaller: keep the suite short
def test_round_trip_of_generated_claims(tmp_path, kind, n):
    gen = _generator()
    original = tmp_path / f"generated.{kind}"
    original.write_bytes(gen.generate(n, seed=7, kind=kind))
    raws = raw_claims(original.read_text())
    assert len(raws) == n
    clean, held = split_and_check(tmp_path, raws)
    claims, findings, errors = read_back(original)
    assert len(claims) == n
    for path, keep in ((clean, lambda i: i % 7 != 3), (held, lambda i: i % 7 == 3)):
        back, back_findings, back_errors = read_back(path)
        assert back_errors == []  # envelopes, control numbers and counts as the reader checks them
        assert back == [c for i, c in enumerate(claims) if keep(i)]
        assert back_findings == [f for i, f in enumerate(findings) if keep(i)]
