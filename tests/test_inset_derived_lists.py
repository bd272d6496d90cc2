"""`in_set` on a derived list field tests each item, in durable-rules and in the reference evaluator.

The NCD policy rules use it over claim.all_dx_codes / line.pointed_dx_codes; before, a derived list
reached `in_set` as one space-joined text and never matched a set of codes.
"""
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.rulespec import default_rule_dirs

POLICIES = default_rule_dirs()[0] / "policies"


def test_ncd_policy_cases_pass_through_both_evaluators():
    r = CliRunner().invoke(cli, ["rules", "test", str(POLICIES / "NCD-210-12.yaml"), str(POLICIES / "NCD-210-14.yaml")])
    assert r.exit_code == 0, r.output
    # the case with a qualifying BMI as the *second* diagnosis needs each item tested, not the joined list
    assert "PASSED NCD-210-12::G0447 with BMI 35 passes" in r.output
    assert " 0 failed" in r.output


def test_oracle_reads_the_items_of_a_derived_list():
    from scrubber.engine.oracle import _items

    assert _items({"all_dx_codes": "E6609 Z6835"}, "all_dx_codes", None, "claim") == ["E6609", "Z6835"]
    assert _items({}, "all_dx_codes", None, "claim") == []
