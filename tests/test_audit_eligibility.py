"""`claimscrub audit --eligibility FILE`: the same eligibility check as `scrub`, through the real command.

Claims and eligibility rows are the MADE-UP fixtures of fixtures/eligibility (README there): each
claim id names the eligibility outcome it must produce.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from datadir import seeded

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "eligibility"
CLAIMS = str(FIX / "made-up-eligibility-claims.json")
CSV = str(FIX / "made-up-eligibility.csv")
BROKEN_CSV = str(FIX / "made-up-broken.csv")

EXPECTED = {  # claim id -> the eligibility rules it must fire (fixtures/eligibility/README.md)
    "MADE-UP-ELIG-ACTIVE": set(),
    "MADE-UP-ELIG-ENDED": {"ELIG-ENDED-001"},
    "MADE-UP-ELIG-NOT-STARTED": {"ELIG-NOTSTARTED-001"},
    "MADE-UP-ELIG-NOT-ON-FILE": {"ELIG-NOTONFILE-001"},
    "MADE-UP-ELIG-OTHER-PAYER": {"ELIG-PAYER-001"},
    "MADE-UP-ELIG-NAME": {"ELIG-NAME-001"},
    "MADE-UP-ELIG-BIRTH-DATE": {"ELIG-DOB-001"},
    "MADE-UP-ELIG-PRIMARY": {"ELIG-PRIMARY-001"},
}


def run(tmp_path, command: str, *args) -> tuple[int, dict]:
    out = tmp_path / f"{command}.json"
    r = CliRunner().invoke(cli, [command, *args, "--format", "json", "-o", str(out), "--no-ledger",
                                 "--data-dir", str(seeded(tmp_path / "data"))])
    assert r.exit_code in (0, 1), r.output
    return r.exit_code, json.loads(out.read_text())


def eligibility_rules(result: dict) -> dict[str, set]:
    return {c["claim_id"]: {f["rule_id"] for f in c["findings"] if f["category"] == "eligibility"}
            for c in result["claims"]}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("audit-elig")
    return run(tmp, "audit", "--eligibility", CSV, CLAIMS, "-q")


def test_audit_with_an_eligibility_file_fires_each_eligibility_outcome(audited):
    code, result = audited
    assert code == 0  # an audit reports; --fail-on never by default
    assert eligibility_rules(result) == EXPECTED
    assert result["run"]["eligibility"] == [CSV]


def test_audit_and_scrub_give_the_same_findings_with_the_same_eligibility_file(tmp_path, audited):
    _, audit_result = audited
    code, scrub_result = run(tmp_path, "scrub", CLAIMS, "--eligibility", CSV)
    assert code == 1
    strip = lambda r: [(c["claim_id"], c["status"], [(f["rule_id"], f["message"]) for f in c["findings"]])  # noqa: E731
                       for c in r["claims"]]
    assert strip(audit_result) == strip(scrub_result)


def test_audit_without_an_eligibility_file_has_no_eligibility_findings(tmp_path):
    _, result = run(tmp_path, "audit", CLAIMS, "-q")
    by_claim = eligibility_rules(result)
    assert by_claim and all(not rules for rules in by_claim.values())


def test_a_broken_eligibility_file_is_reported_with_lines_and_every_claim_is_still_audited(tmp_path):
    _, result = run(tmp_path, "audit", CLAIMS, "--eligibility", BROKEN_CSV, "-q")
    assert result["summary"]["claims_total"] == len(EXPECTED)
    places = {(Path(e["path"]).name, e["segment"]) for e in result["errors"]}
    assert ("made-up-broken.csv", 3) in places  # the row with an empty member id
    assert ("made-up-broken.csv", 4) in places  # the row with a non-ISO date
