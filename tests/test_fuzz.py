"""Mutation fuzzing of the X12 reader and the whole scrub (issue 19), fixed seeds, well under a minute.

Seeds: fixtures/claims/*.837 and the 837 files of ../shared/corpus/x12. Mutations and invariants
are in tests/fuzzkit.py (byte flips, segment deletion / duplication / swap, truncation, delimiter
changes, NUL and invalid UTF-8, wrong SE/GE/IEA counts, cyclic and orphan HL parents, huge amounts,
negative units, impossible dates). ``bench/fuzz.py N`` runs the same over N cases.

The seed list is fixed (case k mutates seed file k mod n with ``random.Random(k)``); the hypothesis
part draws only integers with ``derandomize=True`` and no database, so what it runs does not depend
on literals hypothesis would collect from imported modules (tests/test_engine_agreement.py's lesson).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fuzzkit

SEEDS = fuzzkit.seed_files()
FIXED_CASES = range(240)


@pytest.fixture(scope="module")
def harness():
    h = fuzzkit.Harness()
    yield h
    h.close()


def _case(k: int, rounds: int = 1) -> fuzzkit.Case:
    return fuzzkit.mutate(SEEDS[k % len(SEEDS)].read_bytes(), k, rounds)


def test_the_seed_files_are_there():
    assert len(SEEDS) >= 2 and all(p.stat().st_size > 0 for p in SEEDS)


def test_unmutated_seeds_keep_every_invariant(harness):
    for k, p in enumerate(SEEDS):
        data = p.read_bytes()
        out = harness.check(fuzzkit.Case(data, [], fuzzkit._delims(data)), f"seed{k}")
        assert not out.problems, (p.name, out.problems)


def test_fixed_mutations_keep_every_invariant(harness):
    failures = []
    for k in FIXED_CASES:
        case = _case(k)
        out = harness.check(case, f"m{k}")
        if out.problems:
            failures.append((k, SEEDS[k % len(SEEDS)].name, case.names, out.problems))
    assert not failures, failures[:5]


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(k=st.integers(min_value=0, max_value=10**9), rounds=st.integers(min_value=1, max_value=4))
def test_stacked_mutations_keep_every_invariant(harness, k, rounds):
    case = _case(k, rounds)
    out = harness.check(case, "h")
    assert not out.problems, (SEEDS[k % len(SEEDS)].name, case.names, out.problems)


def test_the_oracle_counts_claims_so_a_lost_claim_would_fail():
    """The invariant is not vacuous: the fixture's CLM segments are counted, and one deleted is one less."""
    data = SEEDS[1].read_bytes() if SEEDS[1].name == "professional.837" else SEEDS[0].read_bytes()
    delims = fuzzkit._delims(data)
    n = fuzzkit.clm_segments(data, delims)
    assert n >= 2
    i = data.find(b"CLM*")
    assert fuzzkit.clm_segments(data[:i] + b"XLM" + data[i + 3:], delims) == n - 1


def test_a_malformed_isa_is_never_copied_into_the_clean_file(harness, tmp_path):
    """Issue 21 item 1: ISA06 with bad bytes (a 110-character ISA) is set aside, the clean file re-reads clean."""
    src = (fuzzkit.ROOT / "fixtures" / "claims" / "professional.837").read_bytes()
    i = src.find(b"ISA*")
    parts = src[i:i + 106].split(b"*")
    parts[6] = parts[6].rstrip() + b"\x1b\x1b\x1b\x1b  "
    bad = src[:i] + b"*".join(parts) + src[i + 106:]
    out = harness.check(fuzzkit.Case(bad, ["isa06"], fuzzkit._delims(src)), "isa06")
    assert not out.problems, out.problems


def test_the_run_result_records_the_control_numbers_of_the_split_files(tmp_path):
    """Issue 21 item 1: claimscrub's own ISA13 in each split file is in run.split_outputs (schema-valid)."""
    import json

    import jsonschema
    from click.testing import CliRunner

    from scrubber.cli import cli

    clean, held, out = tmp_path / "c.837", tmp_path / "h.837", tmp_path / "r.json"
    src = str(fuzzkit.ROOT / "fixtures" / "claims" / "professional.837")
    res = CliRunner().invoke(cli, ["scrub", src, "--format", "json", "-o", str(out), "--no-ledger",
                                   "--clean-out", str(clean), "--held-out", str(held)], catch_exceptions=False)
    assert res.exit_code == 1
    doc = json.loads(out.read_text())
    schema = json.loads((fuzzkit.ROOT / "scrubber" / "schemas" / "run_result.schema.json").read_text())
    jsonschema.validate(doc, schema)
    for rec, path in zip(doc["run"]["split_outputs"], (clean, held)):
        text = path.read_text()
        assert rec["path"] == str(path) and len(text.split("~")[0]) == 105  # fixed-width ISA
        assert rec["interchange_control_numbers"] == [text.split("*")[13]]
    assert sum(r["claims"] for r in doc["run"]["split_outputs"]) == doc["summary"]["claims_total"]
