"""`claimscrub scrub` end to end: exit codes, fail closed on bad rule files, the default ledger."""
import json
import os

from click.testing import CliRunner

from conftest import ROOT
from scrubber.cli import cli
from scrubber.ledger import Ledger

SAMPLES = str(ROOT / "fixtures" / "claims")


def scrub(*args):
    return CliRunner().invoke(cli, ["scrub", *args], catch_exceptions=False)


def test_sample_batch_exits_1_on_errors_and_0_with_fail_on_never():
    assert scrub(SAMPLES, "--format", "json", "--no-ledger").exit_code == 1
    assert scrub(SAMPLES, "--format", "json", "--no-ledger", "--fail-on", "never").exit_code == 0


def test_every_sample_claim_is_accounted_for_and_the_defects_are_found():
    res = scrub(SAMPLES, "--format", "json", "--no-ledger")
    out = json.loads(res.stdout)
    s = out["summary"]
    assert s["claims_total"] == s["claims_clean"] + s["claims_flagged"] + s["claims_unreadable"] == 9
    by_claim = {c["claim_id"]: {f["rule_id"] for f in c["findings"]} for c in out["claims"]}
    assert "INT-BAL-001" in by_claim["MADE-UP-PRO-002"]
    assert "INT-DXPTR-001" in by_claim["MADE-UP-PRO-003"]
    assert "INT-NPI-001" in by_claim["MADE-UP-PRO-004"]
    assert "INT-DATE-005" in by_claim["MADE-UP-INS-002"]
    assert "COD-DX-002" in by_claim["MADE-UP-JSON-002"]  # JSON claims take their dates of service from the lines
    assert not any(f["severity"] == "error" for c in out["claims"] if c["claim_id"] == "MADE-UP-PRO-001" for f in c["findings"])


def test_a_broken_user_rule_pack_stops_the_run_with_exit_2_and_its_location(tmp_path):
    pack = tmp_path / "mypack"
    pack.mkdir()
    (pack / "MY-001.yaml").write_text("id: MY-001\ntitle: made-up\nseverity: error\ncategory: balance\n"
                                      "message: m\nwhen:\n  all:\n    - {fact: claim, field: total_charge, op: equal, value: 1}\n")
    res = scrub(SAMPLES, "--rules", str(pack), "--no-ledger")
    assert res.exit_code == 2
    assert "MY-001.yaml:8" in res.stderr and "eq" in res.stderr


def test_unknown_payer_profile_is_a_usage_error():
    res = scrub(SAMPLES, "--payer", "no-such-payer", "--no-ledger")
    assert res.exit_code == 2
    assert "no-such-payer" in res.stderr


def test_each_scrub_is_recorded_in_the_default_ledger():
    scrub(SAMPLES, "--format", "json")
    path = os.path.join(os.environ["CLAIMSCRUB_DATA_DIR"], "ledger.sqlite3")
    with Ledger(path) as db:
        (run,) = db.runs()
        assert (run.kind, run.claims_total) == ("scrub", 9)
