"""Issue 20 item 6, the smaller items, each through the CLI as a user meets it."""
import json
import re

from click.testing import CliRunner

from conftest import ROOT
from scrubber.cli import cli

SAMPLES = str(ROOT / "fixtures" / "claims")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_member_id_findings_on_json_claims_point_at_the_member_id():
    d = json.loads(run("scrub", SAMPLES, "--payer", "medicare", "--no-ledger", "--format", "json").stdout)
    locs = {c["claim_id"]: f["location"]["path"] for c in d["claims"] for f in c["findings"] if f["rule_id"] == "PAY-MBRID-001"}
    assert locs["MADE-UP-JSON-001"] == "/claims/0/subscriber/member_id"  # was /claims/0/patient/last_name
    assert locs["MADE-UP-PRO-001"] == "2010BA/NM109"


def test_rules_explain_prints_numbers_as_written():
    out = run("rules", "explain", "NCCI-MUE-002").stdout
    assert "line.mue_mai is one of 2, 3" in out and "2.0" not in out


def test_rules_docs_writes_a_field_reference_from_the_vocabulary(tmp_path):
    res = run("rules", "docs", "-o", tmp_path)
    assert res.exit_code == 0 and "fields.html" in res.stdout
    page = (tmp_path / "fields.html").read_text()
    assert "<code>modifiers</code></td><td>list: any_in / all_in / none_in" in page
    assert "<code>mue_mai</code></td><td>number</td><td>derived: The MUE adjudication indicator" in page
    assert "<code>modifier_indicator</code>" in page  # a relation's field
    assert "href='fields.html'" in (tmp_path / "index.html").read_text()


def test_docs_packs_counts_the_packs_and_rules_there_are():
    from scrubber.rulespec import default_rule_dirs, load_packs

    packs = load_packs(default_rule_dirs())
    text = (ROOT / "docs" / "packs.md").read_text()
    words = {5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine", 10: "Ten"}
    assert f"{words[len(packs.packs)]} packs under `rules/` with {len(packs.rules)} rules in all" in text
    table = {m.group(1) for m in re.finditer(r"^\| `([a-z]+)` \|", text, re.M)}
    assert table == {p.id for p in packs.packs}


def test_docs_rules_has_no_dangling_reference_and_documents_list_operators():
    text = (ROOT / "docs" / "rules.md").read_text()
    assert "DESIGN.md" not in text  # not in this repository
    for op in ("any_in", "all_in", "none_in"):
        assert f"op: {op}" in text
    assert "fields.html" in text


def test_unknown_table_backed_value_set_gets_a_did_you_mean(tmp_path):
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "pack.yaml").write_text('version: "1"\n')
    (pack / "MADE-UP-VS-001.yaml").write_text(
        "id: MADE-UP-VS-001\ntitle: made-up\nseverity: warning\ncategory: dx-dx\nmessage: m\nfor: diagnosis\n"
        "when:\n  all:\n    - {fact: diagnosis, field: code, op: in_set, value: 'icd10cm:maternty'}\n")
    res = run("rules", "lint", pack)
    assert res.exit_code == 2 and "did you mean 'icd10cm:maternity'?" in res.output


def test_audit_history_shows_what_each_run_read_and_help_says_where_the_ledger_is():
    assert run("scrub", SAMPLES, "--fail-on", "never").exit_code == 0  # recorded in the default ledger
    out = run("audit", "history").stdout
    assert "inputs" in out.splitlines()[0]
    assert "fixtures/claims/claims.json" in out and "(+1 more)" in out
    assert json.loads(run("audit", "history", "--format", "json").stdout)[0]["inputs"][0].endswith("claims.json")
    help_text = " ".join(run("scrub", "--help").stdout.split())
    assert "ledger.sqlite3 in the data directory" in help_text and "--no-ledger turns that off" in help_text
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "`ledger.sqlite3` in the data directory" in readme and "`--no-ledger` turns it off" in readme
