"""Payer profiles through `claimscrub scrub`: the same claim, different findings per payer."""
import json

import pytest
from click.testing import CliRunner

from scrubber.cli import cli

OBESITY_COUNSELING_WITHOUT_BMI = {  # MADE-UP claim: G0447 with obesity but no BMI code
    "claim_id": "MADE-UP-PAYER-CLI-1", "kind": "837P", "total_charge": "30.00",
    "service_from": "2025-03-03", "created": "2025-03-04", "claim_filing_indicator": "MB", "payer_responsibility": "P",
    "payer": {"name": "MADE UP CONTRACTOR", "payer_id": "MADE-UP-MAC1"},
    "subscriber": {"last_name": "DOE", "first_name": "JANE", "member_id": "1EG4TE5MK73", "birth_date": "1950-01-01",
                   "sex": "F", "relationship": "18"},
    "diagnoses": [{"position": 1, "code": "E6609", "qualifier": "ABK"}],
    "lines": [{"number": 1, "code": "G0447", "code_qualifier": "HC", "charge": "30.00", "units": 1, "unit_basis": "UN",
               "dx_pointers": [1], "date_from": "2025-03-03"}],
}


@pytest.fixture
def claims_file(tmp_path):
    path = tmp_path / "made-up-claims.json"
    path.write_text(json.dumps({"claims": [OBESITY_COUNSELING_WITHOUT_BMI]}))
    return str(path)


def rule_ids(args):
    result = CliRunner().invoke(cli, ["scrub", *args, "--format", "json", "--fail-on", "never"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    return {f["rule_id"] for c in doc["claims"] for f in c["findings"]}, doc


def test_medicare_claim_gets_the_ncd_policy_and_commercial_example_does_not(claims_file):
    medicare, doc = rule_ids([claims_file, "--payer", "medicare"])
    commercial, _ = rule_ids([claims_file, "--payer", "commercial-example"])
    assert "NCD-210-12" in medicare
    assert "NCD-210-12" not in commercial
    assert {p["id"] for p in doc["run"]["payer_profiles"]} >= {"medicare", "default"}


def test_claim_filing_indicator_mb_selects_medicare_without_payer_option(claims_file):
    found, _ = rule_ids([claims_file])
    assert "NCD-210-12" in found


def test_unknown_payer_option_exits_2(claims_file):
    result = CliRunner().invoke(cli, ["scrub", claims_file, "--payer", "no-such-profile"])
    assert result.exit_code == 2
    assert "no-such-profile" in result.output
