"""The eligibility pack (rules/eligibility) end to end: 837 / JSON claims scrubbed with --eligibility.

Batches in fixtures/claims-payer (built by its build.py) are scrubbed against the made-up CSV,
271 and 834 of fixtures/eligibility; every eligibility finding must name its rule, point at the
claim element it is about (loop/element and segment number) and say what the file says and where.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ELIG = ROOT / "fixtures" / "eligibility"
BATCHES = ROOT / "fixtures" / "claims-payer"
CSV, X271, X834 = ELIG / "made-up-eligibility.csv", ELIG / "made-up-271.x12", ELIG / "made-up-834.x12"


def scrub(*args: str, env: dict | None = None) -> dict:
    res = CliRunner().invoke(cli, ["scrub", *args, "--format", "json", "--fail-on", "never"], env=env,
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def elig_findings(result: dict) -> dict[str, list[dict]]:
    return {c["claim_id"]: [f for f in c["findings"] if f["category"] == "eligibility"] for c in result["claims"]}


def rules_by_claim(result: dict) -> dict[str, set]:
    return {cid: {f["rule_id"] for f in fs} for cid, fs in elig_findings(result).items()}


# claim id -> {rule id: (location path, text the message must contain)}
CSV_EXPECTED = {
    "MADE-UP-EB-ACTIVE": {},
    "MADE-UP-EB-ENDED": {"ELIG-ENDED-001": ("2400[1]/DTP03", "ended 2025-03-31 (span 2024-01-01 to 2025-03-31, ")},
    "MADE-UP-EB-NOT-STARTED": {"ELIG-NOTSTARTED-001": ("2400[1]/DTP03", "starting 2025-09-01 (")},
    "MADE-UP-EB-NOT-ON-FILE": {"ELIG-NOTONFILE-001": ("2010BA/NM109", "Member MADEUP0099 is not on file with payer MADE-UP-COMM01")},
    "MADE-UP-EB-OTHER-PAYER": {"ELIG-PAYER-001": ("2010BB/NM109", "active coverage with payer MADE-UP-OTHER9 (")},
    "MADE-UP-EB-NAME": {"ELIG-NAME-001": ("2010BA/NM103", "DOUGH, JANE differs from the eligibility file's DOE, JANE")},
    "MADE-UP-EB-BIRTH-DATE": {"ELIG-DOB-001": ("2010BA/DMG02", "1980-02-04 differs from the eligibility file's 1980-04-02")},
    "MADE-UP-EB-PRIMARY": {"ELIG-PRIMARY-001": ("2000B/SBR01", "shows payer MADE-UP-OTHER9 primary (")},
}
X271_EXPECTED = {
    "MADE-UP-EB271-ACTIVE": {},
    "MADE-UP-EB271-DEPENDENT-INACTIVE": {"ELIG-INACTIVE-001": ("2400[1]/DTP03", "as inactive (span 2025-01-01 to 2025-12-31, ")},
    "MADE-UP-EB271-PRIMARY-ELSEWHERE": {"ELIG-PRIMARY-001": ("2000B/SBR01", "shows payer MADE-UP-PRIM7 primary (")},
    "MADE-UP-EB271-BILLED-SECONDARY": {},
}
X834_EXPECTED = {
    "MADE-UP-EB834-TERMINATED": {"ELIG-ENDED-001": ("2400[1]/DTP03", "ended 2025-02-28 (span 2024-01-01 to 2025-02-28, ")},
    "MADE-UP-EB834-PRIMARY-ELSEWHERE": {"ELIG-PRIMARY-001": ("2000B/SBR01", "shows payer MADE-UP-PRIM7 primary (")},
    "MADE-UP-EB834-NOT-ON-FILE": {"ELIG-NOTONFILE-001": ("2010BA/NM109", "Member MADEUP2999 is not on file with payer MADE-UP-ENR05")},
    "MADE-UP-EB834-DEPENDENT-ACTIVE": {},
}
# Where the file says it: every message but not-on-file quotes a place in the file.
WHERE = {CSV: "made-up-eligibility.csv:", X271: "made-up-271.x12: segment ", X834: "made-up-834.x12: segment "}


@pytest.mark.parametrize("batch, elig, expected", [
    ("made-up-csv-claims.837", CSV, CSV_EXPECTED),
    ("made-up-271-claims.837", X271, X271_EXPECTED),
    ("made-up-834-claims.837", X834, X834_EXPECTED),
], ids=["csv", "271", "834"])
def test_each_eligibility_gap_is_reported_with_its_location_and_the_file_place(batch, elig, expected):
    result = scrub(str(BATCHES / batch), "--eligibility", str(elig), "--payer", "default")
    found = elig_findings(result)
    assert set(found) == set(expected), "every claim read is reported once"
    for cid, want in expected.items():
        assert {f["rule_id"] for f in found[cid]} == set(want), cid
        for f in found[cid]:
            path, text = want[f["rule_id"]]
            assert f["location"]["path"] == path, (cid, f)
            assert isinstance(f["location"]["segment"], int) and f["location"]["segment"] > 0
            assert text in f["message"], f["message"]
            if f["rule_id"] == "ELIG-NOTONFILE-001":
                assert elig.name in f["message"]  # which file speaks for the payer
            else:
                assert WHERE[elig] in f["message"], f["message"]


def test_json_claims_against_the_csv_and_the_shared_contract(tmp_path):
    result = scrub(str(ELIG / "made-up-eligibility-claims.json"), "--eligibility", str(CSV), "--payer", "default")
    assert rules_by_claim(result) == {
        "MADE-UP-ELIG-ACTIVE": set(), "MADE-UP-ELIG-ENDED": {"ELIG-ENDED-001"},
        "MADE-UP-ELIG-NOT-STARTED": {"ELIG-NOTSTARTED-001"}, "MADE-UP-ELIG-NOT-ON-FILE": {"ELIG-NOTONFILE-001"},
        "MADE-UP-ELIG-OTHER-PAYER": {"ELIG-PAYER-001"}, "MADE-UP-ELIG-NAME": {"ELIG-NAME-001"},
        "MADE-UP-ELIG-BIRTH-DATE": {"ELIG-DOB-001"}, "MADE-UP-ELIG-PRIMARY": {"ELIG-PRIMARY-001"},
    }
    from conftest import CHECKER

    if CHECKER.exists():
        out = tmp_path / "result.json"
        out.write_text(json.dumps(result))
        proc = subprocess.run([sys.executable, str(CHECKER), str(out), "--claims", "8"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_several_eligibility_files_and_batches_in_one_run():
    result = scrub(str(BATCHES / "made-up-csv-claims.837"), str(BATCHES / "made-up-834-claims.837"),
                   "--eligibility", str(CSV), "--eligibility", str(X834), "--payer", "default")
    got = rules_by_claim(result)
    for expected in (CSV_EXPECTED, X834_EXPECTED):
        for cid, want in expected.items():
            assert got[cid] == set(want), cid


def test_claims_the_files_do_not_speak_for_get_no_eligibility_finding():
    # The 834 batch's payer (MADE-UP-ENR05) and members are not in the CSV: nothing to say.
    result = scrub(str(BATCHES / "made-up-834-claims.837"), "--eligibility", str(CSV), "--payer", "default")
    assert all(not rules for rules in rules_by_claim(result).values())


def test_without_eligibility_files_no_eligibility_rule_fires():
    result = scrub(str(BATCHES / "made-up-csv-claims.837"), "--payer", "default")
    assert all(not rules for rules in rules_by_claim(result).values())


def test_an_unseen_csv_with_reordered_columns_and_gaps(tmp_path):
    """A CSV written the way another system might: optional columns first, CRLF, mixed-case words."""
    csv = tmp_path / "members.csv"
    csv.write_bytes(
        b"last_name,first_name,birth_date,member_id,payer_id,plan,coverage_start,coverage_end\r\n"
        b"Tate,Lee,1966-06-06,MADEUP7001,MADE-UP-NEWPAYER,EXAMPLE,2024-01-01,2024-12-31\r\n"
        b"Tate,Lee,1966-06-06,MADEUP7001,MADE-UP-NEWPAYER,EXAMPLE,2025-03-01,\r\n"
        b"Vale,Ann,1972-02-29,MADEUP7002,MADE-UP-NEWPAYER,EXAMPLE,2025-01-01,\r\n")
    claims = {"claims": [
        {"claim_id": "MADE-UP-NEW-GAP", "payer": {"payer_id": "MADE-UP-NEWPAYER"}, "created": "2025-03-10",
         "subscriber": {"member_id": "MADEUP7001", "last_name": "TATE", "first_name": "LEE", "birth_date": "1966-06-06",
                        "relationship": "18"},
         "lines": [{"number": 1, "code": "99213", "charge": "80.00", "units": "1", "date_from": "2025-01-15"}]},
        {"claim_id": "MADE-UP-NEW-OK", "payer": {"payer_id": "MADE-UP-NEWPAYER"}, "created": "2025-03-10",
         "subscriber": {"member_id": "MADEUP7002", "last_name": "Vale", "first_name": "Ann", "birth_date": "1972-02-29",
                        "relationship": "18"},
         "lines": [{"number": 1, "code": "99213", "charge": "80.00", "units": "1", "date_from": "2025-02-03"}]},
        {"claim_id": "MADE-UP-NEW-UNKNOWN", "payer": {"payer_id": "MADE-UP-NEWPAYER"}, "created": "2025-03-10",
         "subscriber": {"member_id": "MADEUP7999", "last_name": "Wood", "relationship": "18"},
         "lines": [{"number": 1, "code": "99213", "charge": "80.00", "units": "1", "date_from": "2025-02-03"}]},
    ]}
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims))
    result = scrub(str(path), "--eligibility", str(csv))
    found = elig_findings(result)
    assert {f["rule_id"] for f in found["MADE-UP-NEW-OK"]} == set()
    assert {f["rule_id"] for f in found["MADE-UP-NEW-UNKNOWN"]} == {"ELIG-NOTONFILE-001"}
    (gap,) = found["MADE-UP-NEW-GAP"]
    # Between two spans the latest ended one is reported, with its dates and its CSV line.
    assert gap["rule_id"] == "ELIG-ENDED-001"
    assert "No coverage on 2025-01-15" in gap["message"] and "ended 2024-12-31" in gap["message"]
    assert "members.csv:2" in gap["message"]


def test_a_broken_eligibility_file_is_a_located_run_error_and_claims_are_still_scrubbed():
    result = scrub(str(BATCHES / "made-up-csv-claims.837"), "--eligibility", str(ELIG / "made-up-broken.csv"),
                   "--payer", "default")
    assert len(result["claims"]) == 8
    errors = [e for e in result["errors"] if "made-up-broken.csv" in (e.get("path") or "") + e["message"]]
    assert errors and all(e["segment"] or ":" in e["message"] for e in errors)


def test_severity_override_of_a_profile_applies_to_eligibility_rules(tmp_path):
    """The made-up test profile raises ELIG-NAME-001 to error; the claim is then flagged, not clean."""
    claim = {"claims": [{
        "claim_id": "MADE-UP-NAME-SEV", "payer": {"payer_id": "MADE-UP-LINEPA1"}, "created": "2025-06-05",
        "referral_number": "MADE-UP-R1",
        "subscriber": {"member_id": "ABC123456789", "last_name": "DOUGH", "first_name": "JANE", "relationship": "18"},
        "lines": [{"number": 1, "code": "99213", "charge": "80.00", "units": "1", "date_from": "2025-06-02"}]}]}
    elig = tmp_path / "elig.csv"
    elig.write_text("member_id,payer_id,plan,coverage_start,coverage_end,last_name,first_name\n"
                    "ABC123456789,MADE-UP-LINEPA1,EXAMPLE,2025-01-01,,DOE,JANE\n")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(claim))
    env = {"CLAIMSCRUB_PROFILE_DIRS": str(BATCHES / "profiles")}
    with_override = scrub(str(path), "--eligibility", str(elig), env=env)
    plain = scrub(str(path), "--eligibility", str(elig), "--payer", "commercial-example", env=env)
    sev = {r["claims"][0]["status"]: [(f["rule_id"], f["severity"]) for f in r["claims"][0]["findings"]
                                      if f["rule_id"] == "ELIG-NAME-001"] for r in (with_override, plain)}
    assert sev == {"flagged": [("ELIG-NAME-001", "error")], "clean": [("ELIG-NAME-001", "warning")]}


# --- what the coverage fact adds: the file's side, and where on the claim (no CLI) -------------
def _claims_of(path: Path) -> dict:
    from scrubber.readers import iter_records

    return {r.claim.claim_id: r.claim for r in iter_records([str(path)])}


def test_the_file_person_compared_is_the_dependent_not_the_subscriber():
    import dataclasses

    from scrubber.fields.coverage import enrich_coverage
    from scrubber.readers.eligibility import load_eligibility

    index, _ = load_eligibility([str(X271)])
    claim = _claims_of(BATCHES / "made-up-271-claims.837")["MADE-UP-EB271-DEPENDENT-INACTIVE"]
    renamed = dataclasses.replace(claim, patient=dataclasses.replace(claim.patient, first_name="TOM"))
    cov = enrich_coverage(renamed, index.check(renamed), index)
    assert cov["name_matches"] is False
    assert (cov["file_last_name"], cov["file_first_name"], cov["file_birth_date"]) == ("DOE", "TIM", "2015-03-09")
    assert cov["person_source"].endswith("made-up-271.x12: segment 23 (2110D/EB)")
    # A finding on the name points at the dependent's NM1 (2010CA), on the gap at the line's date.
    assert cov.locs["last_name"].path == "2010CA/NM103"
    assert cov.locs["dos"].path == "2400[1]/DTP03"


def test_no_eligibility_file_speaking_for_the_claim_means_no_coverage_fact():
    from scrubber.fields.coverage import enrich_coverage
    from scrubber.readers.eligibility import load_eligibility

    index, _ = load_eligibility([str(CSV)])
    claim = _claims_of(BATCHES / "made-up-834-claims.837")["MADE-UP-EB834-TERMINATED"]
    assert index.check(claim) is None and enrich_coverage(claim, None, index) is None
