"""One line-keeping YAML loader for rule files and payer profiles; each keeps its date behaviour."""
from __future__ import annotations

import textwrap
from datetime import date

import pytest

from scrubber.config import load_profiles, load_settings
from scrubber.config.profiles import PACKAGED_PROFILE_DIR
from scrubber.config.yamlload import load_yaml
from scrubber.rulespec import load_packs
from scrubber.rulespec.yamlload import LineDict, LineList, YamlProblem, load_yaml_text, parse_yaml

DOC = "a: 2024-10-01\nb: 2024-10-1\nc:\n  - x\n  - 2024-10-01\n"


def test_one_parser_types_dates_for_rules_and_keeps_them_as_text_for_profiles():
    typed, _ = parse_yaml(DOC, "made-up.yaml")
    text, _ = parse_yaml(DOC, "made-up.yaml", dates_as_text=True)
    assert typed["a"] == date(2024, 10, 1) and typed["c"][1] == date(2024, 10, 1)
    assert text["a"] == "2024-10-01" and text["c"][1] == "2024-10-01"
    assert typed["b"] == text["b"] == "2024-10-1"  # not a YAML timestamp either way
    for data in (typed, text):
        assert isinstance(data, LineDict) and isinstance(data["c"], LineList)
        assert data.line_of("c") == 3 and data["c"].line_of(1) == 5


def test_a_rule_files_effective_date_is_a_date(tmp_path):
    pack = tmp_path / "madeup"
    pack.mkdir()
    (pack / "TST-DATE-001.yaml").write_text(textwrap.dedent("""\
        id: TST-DATE-001
        title: MADE-UP rule in force from a date
        severity: info
        category: data-integrity
        effective: 2024-10-01
        message: "x"
        when: {all: [{fact: claim, field: claim_id, op: exists}]}
        """))
    (rule,) = load_packs([pack]).rules
    assert rule.effective == date(2024, 10, 1)


def test_a_profiles_date_stays_the_text_written(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "default.yaml").write_text((PACKAGED_PROFILE_DIR / "default.yaml").read_text())
    (d / "madeup.yaml").write_text(textwrap.dedent("""\
        id: madeup
        title: MADE-UP profile
        extends: default
        match: {payer_ids: [MADE-UP-DATES]}
        params:
          sex_edits:
            enabled: true
            until: 2024-09-30
        sources:
          sex_edits: MADE-UP
        """))
    profiles = load_profiles(dirs=[str(d)], settings=load_settings(env={}, cwd="/"))
    until = profiles.get("madeup").params["sex_edits"].value["until"]
    assert until == "2024-09-30" and isinstance(until, str)


def test_a_key_given_twice_stops_a_rule_file_but_is_one_listed_problem_in_a_profile(tmp_path):
    text = "id: x\ntitle: a\ntitle: b\n"
    with pytest.raises(YamlProblem) as exc:
        load_yaml_text(text, "rule.yaml")
    assert str(exc.value) == "rule.yaml:3: YAML error: key 'title' appears twice in one mapping"
    path = tmp_path / "profile.yaml"
    path.write_text(text)
    data, problems = load_yaml(str(path), "profile.yaml")
    assert data["title"] == "b"
    assert problems == ["profile.yaml:3: key 'title' appears twice; keep one"]


def test_syntax_errors_and_python_tags_name_the_line_for_both(tmp_path):
    with pytest.raises(YamlProblem) as exc:
        load_yaml_text("id: x\ntitle: !!python/object/apply:os.system ['true']\n", "rule.yaml")
    assert str(exc.value).startswith("rule.yaml:2: YAML error:") and "remove the '!!' tag" in str(exc.value)
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: [unclosed\n")
    data, problems = load_yaml(str(path))
    assert data is None and len(problems) == 1
    assert problems[0].startswith(f"{path}:3: YAML syntax error:")


def test_a_document_parsed_again_is_the_same_and_each_caller_gets_its_own_copy():
    """parse_yaml keeps what it parsed (rule packs load more than once in a process): a second
    parse of the same text gives equal data with the same lines, and changing what one caller got
    changes nothing for the next; another text (an edited file) is parsed anew."""
    doc = "id: MADE-UP-1\nwhen:\n  all:\n    - {a: 1}\n    - &x {b: 2024-10-01}\n    - *x\n"
    first, _ = parse_yaml(doc, "made-up.yaml")
    first["when"]["all"].append("changed by the first caller")
    first["id"] = "changed"
    again, _ = parse_yaml(doc, "made-up.yaml")
    assert again["id"] == "MADE-UP-1" and len(again["when"]["all"]) == 3
    assert again.line_of("when") == 2 and again["when"]["all"].line_of(0) == 4
    assert again["when"]["all"][1] is again["when"]["all"][2]  # an alias stays one object, as parsed
    edited, _ = parse_yaml(doc.replace("MADE-UP-1", "MADE-UP-2"), "made-up.yaml")
    assert edited["id"] == "MADE-UP-2"
    with pytest.raises(YamlProblem):  # bad YAML is an error every time, never a kept result
        parse_yaml("a: [1,\n", "bad.yaml")
    with pytest.raises(YamlProblem):
        parse_yaml("a: [1,\n", "bad.yaml")
