"""Hostile YAML in rule files and payer profiles: alias bombs, deep nesting and huge files are refused
with file:line (exit 2 for a rule pack), never expanded."""
from __future__ import annotations

from click.testing import CliRunner

from conftest import ROOT
from scrubber.cli import cli
from scrubber.config.yamlload import load_yaml
from scrubber.rulespec.yamlload import MAX_YAML_CHARS, YamlProblem, load_yaml_text

# The classic "billion laughs": nine aliases of nine aliases, nine levels deep (10^9 values expanded).
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


def _problem(text: str) -> YamlProblem:
    try:
        load_yaml_text(text, "made-up.yaml")
    except YamlProblem as exc:
        return exc
    raise AssertionError("loaded")


def test_billion_laughs_is_refused_at_the_line_where_it_explodes():
    exc = _problem(BOMB)
    assert str(exc).startswith("made-up.yaml:") and "alias" in str(exc)
    assert 2 <= exc.line <= 9


def test_deep_nesting_is_refused_not_a_recursion_error():
    exc = _problem("x: " + "[" * 5000 + "]" * 5000)
    assert "nesting deeper" in str(exc) and exc.line == 1


def test_a_huge_file_is_refused():
    assert "larger than" in str(_problem("# " + "x" * MAX_YAML_CHARS))


def test_ordinary_aliases_still_load():
    assert load_yaml_text("a: &x [1, 2]\nb: *x\n", "ok.yaml") == {"a": [1, 2], "b": [1, 2]}


def test_a_bomb_in_a_user_rule_pack_stops_the_scrub_with_exit_2(tmp_path):
    pack = tmp_path / "mypack"
    pack.mkdir()
    (pack / "MY-BOMB-001.yaml").write_text(BOMB)
    res = CliRunner().invoke(cli, ["scrub", str(ROOT / "fixtures" / "claims"), "--rules", str(pack), "--no-ledger"])
    assert res.exit_code == 2
    assert "MY-BOMB-001.yaml:" in res.output and "alias" in res.output


def test_a_bomb_in_a_payer_profile_is_a_located_problem(tmp_path):
    p = tmp_path / "made-up-profile.yaml"
    p.write_text(BOMB)
    data, problems = load_yaml(str(p))
    assert data is None and problems and problems[0].startswith(f"{p}:") and "alias" in problems[0]
