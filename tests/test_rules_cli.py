"""`claimscrub rules lint|test|list|explain|docs` driven through click's CliRunner on the shipped packs."""
import textwrap

from click.testing import CliRunner

from scrubber.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, ["rules", *args])


def test_lint_passes_the_shipped_packs():
    r = invoke("lint")
    assert r.exit_code == 0, r.output
    assert "rules in" in r.output and "ok" in r.output


def test_lint_warns_about_a_rule_without_a_must_not_fire_case(tmp_path):
    pack = tmp_path / "madeup"
    pack.mkdir()
    (pack / "TST-NOCASE-001.yaml").write_text(textwrap.dedent("""\
        id: TST-NOCASE-001
        title: MADE-UP rule with one case
        severity: warning
        category: data-integrity
        message: "x"
        when: {all: [{fact: claim, field: claim_id, op: exists}]}
        tests:
          - {name: fires, expect: fire, claim: {claim_id: MADE-UP-1}}
        """))
    r = invoke("lint", str(pack))
    assert r.exit_code == 1
    assert "TST-NOCASE-001 has no must-not-fire test case" in r.output


def test_test_runs_every_case_of_the_shipped_packs():
    r = invoke("test")
    assert r.exit_code == 0, r.output
    assert "PASSED INT-NPI-001::NPI 1234567890 has a wrong check digit" in r.output
    assert " 0 failed" in r.output


def test_test_exits_1_and_names_the_failing_case(tmp_path):
    pack = tmp_path / "madeup"
    pack.mkdir()
    (pack / "TST-WRONG-001.yaml").write_text(textwrap.dedent("""\
        id: TST-WRONG-001
        title: MADE-UP rule whose case is wrong
        severity: error
        category: data-integrity
        for: line
        message: "x"
        when: {all: [{fact: line, field: units, op: gt, value: 5}]}
        tests:
          - name: six units should fire
            expect: fire
            claim: {claim_id: MADE-UP-1, lines: [{number: 1, code: "99213", units: 6}]}
          - name: one unit wrongly expected to fire
            expect: fire
            claim: {claim_id: MADE-UP-2, lines: [{number: 1, code: "99213", units: 1}]}
        """))
    r = invoke("test", str(pack))
    assert r.exit_code == 1
    assert "PASSED TST-WRONG-001::six units should fire" in r.output
    assert "FAILED TST-WRONG-001::one unit wrongly expected to fire" in r.output
    assert "TST-WRONG-001.yaml:12" in r.output


def test_list_shows_id_severity_category_pack_and_source():
    r = invoke("list")
    assert r.exit_code == 0
    row = next(line for line in r.output.splitlines() if line.startswith("INT-BAL-001"))
    assert "error" in row and "balance" in row and "integrity" in row and "CLM02" in row


def test_explain_says_what_the_rule_checks_and_why():
    r = invoke("explain", "INT-DXPTR-001")
    assert r.exit_code == 0
    assert "line.unresolved_pointer is present" in r.output
    assert "why:" in r.output and "source:" in r.output and "example (fires)" in r.output


def test_explain_an_unknown_id_suggests_the_closest():
    r = invoke("explain", "INT-NPI-01")
    assert r.exit_code == 2 and "INT-NPI-001" in r.output


def test_docs_writes_a_page_per_rule_with_html_escaped(tmp_path):
    r = invoke("docs", "-o", str(tmp_path / "site"))
    assert r.exit_code == 0
    pages = sorted(p.name for p in (tmp_path / "site").iterdir())
    assert "index.html" in pages and "INT-NPI-001.html" in pages
    text = (tmp_path / "site" / "INT-BAL-001.html").read_text()
    assert "Claim total differs" in text and "<script" not in text
    assert "{claim.claim_id}" in text  # the message template is shown as written


def test_x12_structure_rules_are_listed_explained_and_documented(tmp_path):
    from scrubber.readers.x12.rules import RULES

    listed = invoke("list")
    assert listed.exit_code == 0
    rows = {line.split()[0]: line for line in listed.output.splitlines()[1:] if line.strip()}
    assert "X12-LOOP-REPEAT" in RULES and all(rid in rows for rid in RULES)  # 25 + the 2400 repeat limit
    assert "structure" in rows["X12-SEG-ORDER"] and "x12-structure" in rows["X12-SEG-ORDER"]
    r = invoke("explain", "X12-SEG-ORDER")
    assert r.exit_code == 0
    assert "segments out of order" in r.output and "fix: Order the loop's segments" in r.output
    assert "scrubber/readers/x12/rules.py" in r.output
    assert invoke("explain", "X12-SEG-ORDR").exit_code == 2 and "X12-SEG-ORDER" in invoke("explain", "X12-SEG-ORDR").output
    invoke("docs", "-o", str(tmp_path / "site"))
    page = (tmp_path / "site" / "X12-SEG-ORDER.html").read_text()
    assert "segments out of order" in page
    assert "X12-SEG-ORDER.html" in (tmp_path / "site" / "index.html").read_text()


def test_explain_names_each_field_a_rule_reads_and_the_module_that_computes_it():
    r = invoke("explain", "PAY-TF-001")
    assert r.exit_code == 0
    reads = r.output.split("  reads:\n", 1)[1].split("  message:", 1)[0]
    assert "claim.tf_filed_late  (derived: scrubber.fields.payer.tf_filed_late)" in reads
    assert "claim.profile_id  (base field: the claim as read, scrubber.engine.base)" in reads  # a message placeholder
    ptp = invoke("explain", "NCCI-PTP-001").output
    assert "edit.modifier_indicator  (pair relation ncci_ptp: scrubber.fields.ncci.ncci_ptp)" in ptp
