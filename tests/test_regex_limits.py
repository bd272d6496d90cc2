"""Rule regexes and payer-profile member-id patterns that can backtrack catastrophically are refused
with file:line before any claim meets them (issue 19)."""
from __future__ import annotations

import pytest

from scrubber.rulespec.regexcheck import backtracking_risk

EVIL = ["(a+)+$", "^(a|ab)+$", "(x*)*y", "^([A-Z0-9]+)*$", "(\\d+\\.)*\\d+!"]
SAFE = ["^99[0-9]{3}$", "(.* )?59( .*)?", "^[A-Z]{3}[0-9]{9}$", "^(G0|99)[0-9]+$", "^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$"]


@pytest.mark.parametrize("pattern", EVIL)
def test_nested_repetition_is_refused(pattern):
    assert backtracking_risk(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_ordinary_code_patterns_pass(pattern):
    assert backtracking_risk(pattern) is None


def test_a_rule_with_an_evil_regex_fails_lint_with_its_line(tmp_path):
    from click.testing import CliRunner

    from scrubber.cli import cli

    pack = tmp_path / "mypack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("id: mypack\ntitle: made-up pack\nversion: '1'\n")
    rule = ("id: MY-RX-001\ntitle: made-up\nseverity: error\ncategory: modifier\nfor: line\nsource: made-up\n"
            "message: made-up\nsuggestion: made-up\nwhen:\n  all:\n"
            "    - {fact: line, field: code, op: matches, value: '(a+)+$'}\n")
    (pack / "MY-RX-001.yaml").write_text(rule)
    res = CliRunner().invoke(cli, ["rules", "lint", "--rules", str(pack)])
    assert res.exit_code == 2, res.output
    assert "MY-RX-001.yaml:11" in res.output and "refused" in res.output
