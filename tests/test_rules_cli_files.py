"""`claimscrub rules lint|test FILE`: a rule author checks the one rule file being edited."""
import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.rulespec import default_rule_dirs

RULES = default_rule_dirs()[0]


def invoke(*args):
    return CliRunner().invoke(cli, ["rules", *args])


def rule_dir_copy(tmp_path: Path, *packs: str) -> Path:
    """A rule directory laid out like the standard one: the named packs and every value set."""
    root = tmp_path / "rules"
    shutil.copytree(RULES / "valuesets", root / "valuesets")
    for pack in packs:
        shutil.copytree(RULES / pack, root / pack)
    return root


def test_lint_one_rule_file_loads_the_value_sets_of_its_rule_directory():
    # COD-EXTC-001 tests `in_set icd10cm-external-cause`, a set in rules/valuesets, not in its pack
    r = invoke("lint", str(RULES / "coding" / "COD-EXTC-001.yaml"))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "1 rules in 1 pack(s)" in r.stdout and "ok" in r.stdout


def test_test_one_rule_file_runs_only_that_rules_cases():
    r = invoke("test", str(RULES / "payer" / "PAY-FREQ-001.yaml"))
    assert r.exit_code == 0, r.stdout + r.stderr
    ran = {line.split()[1].split("::")[0] for line in r.stdout.splitlines() if line.startswith("PASSED")}
    assert ran == {"PAY-FREQ-001"}
    assert "4 passed, 0 failed" in r.stdout


def test_a_glob_of_a_pack_with_its_pack_yaml_tests_the_pack():
    files = sorted(str(p) for p in (RULES / "ncci").glob("*.yaml"))
    assert any(f.endswith("pack.yaml") for f in files)
    r = invoke("test", *files)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert " 0 failed" in r.stdout


def test_one_pack_folder_of_a_rule_directory_loads_that_directorys_value_sets():
    r = invoke("lint", str(RULES / "coding"))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "18 rules in 1 pack(s)" in r.stdout  # 14 + COD-PDX-001, COD-DX-004, COD-ZFIRST-001, COD-DXDUP-001


def test_a_broken_rule_file_alone_exits_2_with_file_and_line(tmp_path):
    root = rule_dir_copy(tmp_path, "coding")
    target = root / "coding" / "COD-EXTC-001.yaml"
    target.write_text(target.read_text().replace("op: in_set", "op: in_sett", 1))
    r = invoke("lint", str(target))
    assert r.exit_code == 2
    assert f"{target}:" in r.stderr and "in_sett" in r.stderr and "in_set" in r.stderr


def test_a_failing_case_in_one_file_exits_1(tmp_path):
    pack = tmp_path / "madeup"
    pack.mkdir()
    rule = pack / "TST-ONE-001.yaml"
    rule.write_text(textwrap.dedent("""\
        id: TST-ONE-001
        title: MADE-UP rule whose second case is wrong
        severity: error
        category: data-integrity
        for: line
        message: "x"
        when: {all: [{fact: line, field: units, op: gt, value: 5}]}
        tests:
          - {name: six units fire, expect: fire, claim: {claim_id: MADE-UP-1, lines: [{number: 1, code: "99213", units: 6}]}}
          - {name: one unit wrongly expected to fire, expect: fire, claim: {claim_id: MADE-UP-2, lines: [{number: 1, code: "99213", units: 1}]}}
        """))
    r = invoke("test", str(rule))
    assert r.exit_code == 1
    assert "PASSED TST-ONE-001::six units fire" in r.stdout
    assert f"FAILED TST-ONE-001::one unit wrongly expected to fire ({rule}:10)" in r.stdout


def test_a_rule_file_outside_any_pack_gets_a_clear_message(tmp_path):
    root = rule_dir_copy(tmp_path, "payer")
    stray = root / "PAY-STRAY-001.yaml"  # beside the pack folders, not in one
    shutil.copy(root / "payer" / "PAY-FREQ-001.yaml", stray)
    r = invoke("lint", str(stray))
    assert r.exit_code == 2
    assert "outside any pack" in r.stderr and f"{root}/<pack>/PAY-STRAY-001.yaml" in r.stderr
    assert "no rules were run" in r.stderr


def test_a_value_set_file_or_a_non_yaml_file_is_not_taken_for_a_rule(tmp_path):
    r = invoke("lint", str(RULES / "valuesets" / "em-office-visits.yaml"))
    assert r.exit_code == 2 and "a value set, not a rule" in r.stderr
    note = tmp_path / "notes.txt"
    note.write_text("not a rule\n")
    r = invoke("lint", str(note))
    assert r.exit_code == 2 and "not a rule file" in r.stderr
    r = invoke("lint", str(RULES / "coding" / "pack.yaml"))
    assert r.exit_code == 2 and "describes a pack" in r.stderr


def test_one_file_reusing_another_packs_rule_id_is_refused(tmp_path):
    root = rule_dir_copy(tmp_path, "payer", "integrity")
    twin = root / "payer" / "INT-NPI-001.yaml"
    shutil.copy(root / "integrity" / "INT-NPI-001.yaml", twin)
    r = invoke("lint", str(twin))
    assert r.exit_code == 2
    assert "duplicate rule id 'INT-NPI-001'" in r.stderr and str(root / "integrity" / "INT-NPI-001.yaml") in r.stderr


def test_a_rule_file_in_a_pack_folder_with_its_own_value_sets_loads_them(tmp_path):
    pack = tmp_path / "madeup"
    (pack / "valuesets").mkdir(parents=True)
    (pack / "valuesets" / "made-up-codes.yaml").write_text(
        'id: made-up-codes\ntitle: MADE-UP set\nsource: made up for this test\ncodes: ["99213"]\n')
    rule = pack / "TST-VSP-001.yaml"
    rule.write_text(textwrap.dedent("""\
        id: TST-VSP-001
        title: MADE-UP rule over the pack's own value set
        severity: info
        category: data-integrity
        for: line
        message: "x"
        when: {all: [{fact: line, field: code, op: in_set, value: made-up-codes}]}
        tests:
          - {name: in the set, expect: fire, claim: {claim_id: MADE-UP-1, lines: [{number: 1, code: "99213", units: 1}]}}
          - {name: not in it, expect: pass, claim: {claim_id: MADE-UP-2, lines: [{number: 1, code: "99214", units: 1}]}}
        """))
    r = invoke("test", str(rule))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "2 passed, 0 failed" in r.stdout


def test_a_users_rule_file_may_use_a_standard_value_set_as_in_a_scrub(tmp_path):
    pack = tmp_path / "mypayer"
    pack.mkdir()
    rule = pack / "TST-STDVS-001.yaml"
    rule.write_text(textwrap.dedent("""\
        id: TST-STDVS-001
        title: MADE-UP rule over the standard E/M office visit set
        severity: info
        category: data-integrity
        for: line
        message: "x"
        when: {all: [{fact: line, field: code, op: in_set, value: em-office-visits}]}
        tests:
          - {name: an office visit, expect: fire, claim: {claim_id: MADE-UP-1, lines: [{number: 1, code: "99213", units: 1}]}}
          - {name: a lab test, expect: pass, claim: {claim_id: MADE-UP-2, lines: [{number: 1, code: "80048", units: 1}]}}
        """))
    for target in (rule, pack):
        r = invoke("test", str(target))
        assert r.exit_code == 0, r.stdout + r.stderr
        assert "2 passed, 0 failed" in r.stdout


def test_a_rule_directory_with_a_stray_rule_file_is_refused_not_read_as_one_pack(tmp_path):
    root = rule_dir_copy(tmp_path, "payer", "integrity")
    shutil.copy(root / "payer" / "PAY-FREQ-001.yaml", root / "PAY-STRAY-001.yaml")
    r = invoke("lint", str(root))
    assert r.exit_code == 2
    assert f"{root / 'PAY-STRAY-001.yaml'}: outside any pack" in r.stderr
    # without the stray file the same directory loads both packs
    (root / "PAY-STRAY-001.yaml").unlink()
    r = invoke("lint", str(root))
    assert r.exit_code == 0 and "in 2 pack(s)" in r.stdout, r.stdout + r.stderr


def test_lint_of_a_users_folder_reports_a_changed_standard_value_set_as_scrub_does(tmp_path):
    # A user's value set under a standard name with other codes: scrub stops on it (duplicate value
    # set), so lint must not pass it; an unchanged copy shadows nothing and stays quiet.
    root = rule_dir_copy(tmp_path, "coding")
    changed = root / "valuesets" / "ncd-210-12-diagnoses.yaml"
    lint = lambda: CliRunner().invoke(cli, ["rules", "lint", str(root)])  # noqa: E731
    assert lint().exit_code == 0
    changed.write_text(changed.read_text().replace("Z68.41-Z68.45", "Z68.41-Z68.44"))  # made-up change
    r = lint()
    assert r.exit_code == 2
    assert f"{changed}:1: value set 'ncd-210-12-diagnoses' is already defined in" in r.output
    assert "(a standard value set); rename one of them" in r.output


def test_scrub_with_a_users_folder_that_carries_unchanged_standard_value_sets_runs_as_lint_says(tmp_path):
    # A user's rule folder with its own (made-up) pack and copies of the standard value sets: lint
    # passes it, so a scrub must run with it too; a copy changed under a standard name stops both.
    root = tmp_path / "rules"
    shutil.copytree(RULES / "valuesets", root / "valuesets")
    (root / "mine").mkdir()
    (root / "mine" / "MINE-EM-001.yaml").write_text(textwrap.dedent("""\
        id: MINE-EM-001
        title: made-up rule for a test
        severity: info
        category: payer-policy
        message: "made-up: an office visit"
        when: {all: [{fact: line, field: code, op: in_set, value: em-office-visits}]}
        tests:
          - {name: an office visit, expect: fire, claim: {claim_id: MADE-UP-1, lines: [{number: 1, code: "99213", units: 1}]}}
          - {name: a lab test, expect: pass, claim: {claim_id: MADE-UP-2, lines: [{number: 1, code: "80048", units: 1}]}}
        """))
    samples = str(Path(__file__).resolve().parent.parent / "fixtures" / "claims")
    assert invoke("lint", str(root)).exit_code == 0
    r = CliRunner().invoke(cli, ["scrub", samples, "--rules", str(root), "--no-ledger", "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    assert "MINE-EM-001" in r.output
    changed = root / "valuesets" / "em-office-visits.yaml"
    changed.write_text(changed.read_text().replace("99211-99215", "99211-99214"))  # made-up change
    for args in (["rules", "lint", str(root)], ["scrub", samples, "--rules", str(root), "--no-ledger"]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 2, args
        assert "value set 'em-office-visits' is already defined in" in r.output
