"""Issue 20 items 2 and 5 through the CLI: rules that could not run are said once in every
format, every claim read is listed in every format, and one status vocabulary is used."""
import csv
import io
import json
from importlib import resources

import jsonschema
from click.testing import CliRunner

from conftest import ROOT
from scrubber.cli import cli

SAMPLES = str(ROOT / "fixtures" / "claims")
SAMPLE_IDS = ["MADE-UP-JSON-001", "MADE-UP-JSON-002", "MADE-UP-INS-001", "MADE-UP-INS-002", "MADE-UP-PRO-001",
              "MADE-UP-PRO-002", "MADE-UP-PRO-003", "MADE-UP-PRO-004", "MADE-UP-PRO-005"]
PTP_LINE = ("not run (4 rules: NCCI-PTP-001, NCCI-PTP-002, NCCI-PTP-003, NCCI-PTP-004): no NCCI PTP table imported; "
            "`claimscrub refdata import ncci-ptp ccipra-v320r0-f1.txt`")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def scrub(*args):
    return run("scrub", SAMPLES, "--no-ledger", "--fail-on", "never", *args)


def import_sample_ptp():
    res = run("refdata", "import", "ncci-ptp", str(ROOT / "fixtures" / "refdata" / "SAMPLE-ccipra-v320r0-f1.txt"))
    assert res.exit_code == 0, res.output


# -- item 2: idle rules -------------------------------------------------------------------------

def test_text_names_the_rules_that_did_not_run_once_with_the_import_command():
    out = scrub().stdout
    assert out.count(PTP_LINE) == 1
    assert "NCCI-MUE-001, NCCI-MUE-002): no MUE table imported" in out
    import_sample_ptp()
    out = scrub().stdout
    assert "no NCCI PTP table imported" not in out  # imported: the PTP rules run
    assert "no MUE table imported" in out


def test_json_carries_the_idle_rules_in_the_schema():
    d = json.loads(scrub("--format", "json").stdout)
    schema = json.loads(resources.files("scrubber").joinpath("schemas/run_result.schema.json").read_text())
    jsonschema.validate(d, schema)
    idle = {i["rule_id"]: i for i in d["run"]["rules_idle"]}
    assert idle["NCCI-PTP-001"]["table"] == "ncci-ptp"
    assert "claimscrub refdata import ncci-ptp" in idle["NCCI-PTP-001"]["reason"]
    assert "INT-BAL-001" not in idle  # a rule that needs no table is never listed


def test_html_summary_and_refdata_table_say_which_rules_did_not_run():
    html = scrub("--format", "html").stdout
    summary = html[html.index('id="rules-idle"'):html.index("<h2>Charts")]
    assert "4 rules (NCCI-PTP-001, NCCI-PTP-002, NCCI-PTP-003, NCCI-PTP-004): no NCCI PTP table imported" in summary
    assert "not imported: 4 rules did not run (NCCI-PTP-001, NCCI-PTP-002, NCCI-PTP-003, NCCI-PTP-004)" in html


def test_junit_reports_idle_rules_as_skipped_tests():
    xml = scrub("--format", "junit").stdout
    assert '<testcase classname="rules" name="NCCI-PTP-001">' in xml
    assert 'skipped message="no NCCI PTP table imported' in xml


def test_rules_list_status_says_idle_and_how_to_fix_it():
    out = run("rules", "list").stdout
    row = next(line for line in out.splitlines() if line.startswith("NCCI-PTP-001"))
    assert " idle " in row
    assert ("idle: no NCCI PTP table imported; `claimscrub refdata import ncci-ptp ccipra-v320r0-f1.txt`: "
            "NCCI-PTP-001, NCCI-PTP-002, NCCI-PTP-003, NCCI-PTP-004") in out
    row = next(line for line in out.splitlines() if line.startswith("INT-BAL-001"))
    assert " runs " in row
    out = run("rules", "list", "--payer", "medicare").stdout
    row = next(line for line in out.splitlines() if line.startswith("NCCI-PTP-001"))
    assert "idle: no NCCI PTP table imported; `claimscrub refdata import ncci-ptp" in row
    import_sample_ptp()
    row = next(line for line in run("rules", "list").stdout.splitlines() if line.startswith("NCCI-PTP-001"))
    assert " runs " in row


def test_every_table_need_names_a_registered_relation_or_field():
    from scrubber.idle import TABLE_NEEDS
    from scrubber.fields.registry import DERIVED, RELATIONS, ensure_loaded

    ensure_loaded()
    for need in TABLE_NEEDS:
        for rel in need.relations:
            assert rel in RELATIONS, rel
        for name in need.fields:
            fact, field = name.split(".")
            assert (fact, field) in DERIVED, name


# -- item 5: every claim in every format, one status vocabulary -----------------------------------

def test_text_lists_every_claim_and_quiet_folds_the_clean_ones():
    out = scrub().stdout
    for claim_id in SAMPLE_IDS:
        assert sum(line.startswith(claim_id + "  [") for line in out.splitlines()) == 1, claim_id
    quiet = scrub("--quiet").stdout
    assert "MADE-UP-PRO-005  [" not in quiet  # clean, no findings: folded
    assert "4 clean claims without findings not listed (--quiet)" in quiet
    assert "MADE-UP-PRO-002  [flagged]" in quiet


def test_csv_has_a_row_for_every_claim():
    rows = list(csv.DictReader(io.StringIO(scrub("--format", "csv").stdout)))
    assert sorted({r["claim_id"] for r in rows if r["claim_id"]}) == sorted(SAMPLE_IDS)
    clean = [r for r in rows if r["claim_id"] == "MADE-UP-PRO-005"]
    assert [(r["record"], r["status"], r["rule_id"]) for r in clean] == [("claim", "clean", "")]


def test_a_warnings_only_claim_is_never_a_bare_clean_beside_its_warning(corpus_dir):
    path = str(corpus_dir / "LinuxForHealth-x12__837_004010X098A1__patient-is-subscriber.837.txt")
    res = run("scrub", path, "--no-ledger")
    assert "26462967  [clean, 1 warning]" in res.stdout and "X12-VERSION" in res.stdout
    assert res.exit_code == 0  # warnings do not gate under the default --fail-on error
    html = run("scrub", path, "--no-ledger", "--format", "html").stdout
    assert ">clean, 1 warning</td>" in html
    assert json.loads(run("scrub", path, "--no-ledger", "--format", "json").stdout)["claims"][0]["status"] == "clean"


def test_counts_read_as_english():
    out = scrub().stdout
    assert "1 finding on 1 claim" in out and "1 findings" not in out and "1 claims" not in out


def test_audit_says_on_stderr_which_rules_did_not_run(tmp_path):
    res = run("audit", SAMPLES, "-o", str(tmp_path / "a.html"), "--no-ledger")
    assert res.exit_code == 0
    assert res.stderr.count("NCCI-PTP-001, NCCI-PTP-002, NCCI-PTP-003, NCCI-PTP-004): no NCCI PTP table imported") == 1
    assert 'id="rules-idle"' in (tmp_path / "a.html").read_text()
