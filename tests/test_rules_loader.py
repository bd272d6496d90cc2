"""Broken rule files: each one stops the run (exit 2) with file:line and what to write instead."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.rulespec import RuleLoadError, default_rule_dirs, load_packs

BROKEN = Path(__file__).parent / "broken_rules"

# folder -> (file, line, words the message must contain, load with the built-in packs too)
CASES = {
    "wrong_types": ("TST-TYPE-001.yaml", 2, "title must be text, not a number; put it in quotes", False),
    "unknown_key": ("TST-KEY-001.yaml", 6, "unknown key 'whne' in the rule (did you mean 'when'?)", False),
    "misspelled_operator": ("TST-OP-001.yaml", 11, "unknown operator 'equal' (did you mean 'eq'?)", False),
    "bad_regex": ("TST-RX-001.yaml", 12, "bad regular expression '[0-9'", False),
    "unknown_valueset": ("TST-VS-001.yaml", 12, "unknown value set 'em-ofice-visits' (did you mean 'em-office-visits'?)", True),
    "duplicate_id": ("INT-NPI-001.yaml", 1, "duplicate rule id 'INT-NPI-001': already defined in", True),
    "yaml_syntax": ("TST-SYN-001.yaml", 9, "YAML error: expected ',' or '}'", False),
    "python_tag": ("TST-TAG-001.yaml", 6, "remove the '!!' tag", False),
    "empty_file": ("TST-EMPTY-001.yaml", 1, "the file is empty", False),
    "non_utf8": ("TST-UTF-001.yaml", 2, "the file is not UTF-8 (byte 0xe9", False),
    "unknown_field": ("TST-FLD-001.yaml", 10, "unknown field 'cod' of line (did you mean 'code'?)", False),
}


@pytest.mark.parametrize("folder", sorted(CASES))
def test_broken_rule_file_exits_2_naming_file_and_line(folder):
    fname, line, words, with_builtin = CASES[folder]
    d = BROKEN / folder
    args = ["rules", "lint", "--rules", str(d)] if with_builtin else ["rules", "lint", str(d)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    expected_prefix = f"{d / fname}:{line}: "
    lines = [ln for ln in result.output.splitlines() if ln.startswith(expected_prefix)]
    assert lines, result.output
    assert any(words in ln for ln in lines), result.output
    assert "Traceback" not in result.output


def test_python_tag_is_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuleLoadError):
        load_packs([BROKEN / "python_tag"])
    assert not list(tmp_path.iterdir())


def test_every_problem_is_listed_not_just_the_first():
    with pytest.raises(RuleLoadError) as exc:
        load_packs([BROKEN / d for d in CASES if not CASES[d][3]])
    files = {p.split(":")[0] for p in exc.value.problems}
    assert len(files) == len([d for d in CASES if not CASES[d][3]])


def test_a_user_pack_reusing_a_builtin_id_is_an_error_not_an_override():
    with pytest.raises(RuleLoadError) as exc:
        load_packs(default_rule_dirs() + [BROKEN / "duplicate_id"])
    assert any("duplicate rule id 'INT-NPI-001'" in p for p in exc.value.problems)


def test_shipped_packs_load():
    packs = load_packs(default_rule_dirs())
    assert {"INT-NPI-001", "INT-BAL-001", "INT-DXPTR-001", "INT-UNITS-001"} <= {r.id for r in packs.rules}
    assert all(len(p.sha256) == 64 for p in packs.packs)
