"""Issue 20 item 4: list-valued fields get list semantics (any_in / all_in / none_in), lint refuses
`in` on a list field with a did-you-mean, and durable-rules and the oracle agree on them.

The rules and claims here are MADE-UP examples (rule ids MADE-UP-LIST-*); the modifiers are real
CPT / HCPCS modifier codes used only as list items."""
import random
import textwrap

from click.testing import CliRunner

import rulegen
from enginehelp import firings_per_rule
from scrubber.cli import cli
from scrubber.engine.core import Engine
from scrubber.rulespec.packs import PackInfo, RulePacks
from scrubber.rulespec.parse import parse_rule
from scrubber.rulespec.yamlload import load_yaml_text

LINE = "lines: [{number: 1, code: '97110', code_qualifier: HC, charge: '40', units: 1, date_from: 2026-02-02, modifiers: [%s]}]"


def rule_yaml(rule_id, test, cases):
    return textwrap.dedent(f"""\
        id: {rule_id}
        title: made-up list rule
        severity: warning
        category: modifier
        for: line
        message: "line {{line.number}}"
        when:
          all:
            - {test}
        tests:
        """) + "".join(textwrap.indent(textwrap.dedent(f"""\
        - name: {name}
          expect: {expect}
          claim:
            claim_id: MADE-UP-{rule_id}-{k}
            service_from: 2026-02-02
            {LINE % mods}
        """), "  ") for k, (name, expect, mods) in enumerate(cases))


def pack(tmp_path, files):
    d = tmp_path / "made-up-pack"
    d.mkdir()
    (d / "pack.yaml").write_text('version: "1"\n')
    for name, text in files.items():
        (d / f"{name}.yaml").write_text(text)
    return d


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def test_lint_refuses_in_on_a_list_field_and_says_what_to_write(tmp_path):
    d = pack(tmp_path, {"MADE-UP-LIST-001": rule_yaml("MADE-UP-LIST-001", "{fact: line, field: modifiers, op: in, value: [GP]}",
                                                      [("gp", "fire", "'59', GP"), ("none", "pass", "")])})
    res = run("rules", "lint", d)
    assert res.exit_code == 2
    out = res.output
    assert "MADE-UP-LIST-001.yaml:9" in out and "did you mean 'any_in'?" in out and '"59 GP"' in out


def test_lint_refuses_a_list_operator_on_a_text_field(tmp_path):
    d = pack(tmp_path, {"MADE-UP-LIST-002": rule_yaml("MADE-UP-LIST-002", "{fact: line, field: code, op: any_in, value: ['97110']}",
                                                      [("x", "fire", "GP"), ("y", "pass", "")])})
    res = run("rules", "lint", d)
    assert res.exit_code == 2 and "did you mean 'in'?" in res.output


def test_list_operators_test_each_item_in_both_evaluators(tmp_path):
    d = pack(tmp_path, {
        "MADE-UP-LIST-003": rule_yaml("MADE-UP-LIST-003", "{fact: line, field: modifiers, op: any_in, value: [GP]}",
                                      [("GP second of two", "fire", "'59', GP"), ("GP alone", "fire", "GP"),
                                       ("no GP", "pass", "'59', XS"), ("no modifiers", "pass", "")]),
        "MADE-UP-LIST-004": rule_yaml("MADE-UP-LIST-004", "{fact: line, field: modifiers, op: all_in, value: ['59', XS, XU]}",
                                      [("all distinct-service", "fire", "'59', XS"), ("one other", "pass", "'59', GP"),
                                       ("no modifiers is not all", "pass", "")]),
        "MADE-UP-LIST-005": rule_yaml("MADE-UP-LIST-005", "{fact: line, field: modifiers, op: none_in, value: ['25', '57']}",
                                      [("no modifiers", "fire", ""), ("others only", "fire", "'59', GP"),
                                       ("25 second", "pass", "GP, '25'")]),
    })
    res = run("rules", "test", d)
    assert res.exit_code == 0, res.output
    assert " 0 failed" in res.output and "PASSED MADE-UP-LIST-003::GP second of two" in res.output
    # the same expectation with `matches` on the joined text would be easy to get wrong; flip one case:
    bad = (d / "MADE-UP-LIST-003.yaml").read_text().replace("name: no GP\n    expect: pass", "name: no GP\n    expect: fire")
    (d / "MADE-UP-LIST-003.yaml").write_text(bad)
    assert run("rules", "test", d).exit_code == 1


def test_durable_rules_and_oracle_agree_on_list_operators():
    vs = rulegen.make_valuesets()
    rules = []
    for k, (field, op, values) in enumerate([("modifiers", "any_in", ["59", "LT"]), ("modifiers", "all_in", ["25", "59", "XU"]),
                                             ("modifiers", "none_in", ["76"]), ("dx_pointers", "any_in", ["2"]),
                                             ("dx_pointers", "all_in", ["1", "2"]), ("dx_pointers", "none_in", ["1"])]):
        text = rule_yaml(f"MADE-UP-LIST-1{k}", f"{{fact: line, field: {field}, op: {op}, value: {values}}}", [])
        rule, problems = parse_rule(load_yaml_text(text.replace("tests:\n", ""), "<made-up>"), "<made-up>", "gen", vs)
        assert not problems, problems
        rules.append(rule)
    engine = Engine(RulePacks(rules=rules, valuesets=vs, packs=[PackInfo("gen", "<gen>", "0", "f" * 32)]), workers=0)
    claims = rulegen.make_claims(random.Random(7), 300)
    per_rule = firings_per_rule(engine, claims)
    assert all(n > 0 for n in per_rule), per_rule  # every operator fired somewhere, and not everywhere
    assert all(n < sum(len(c.lines) for c in claims) for n in per_rule), per_rule
