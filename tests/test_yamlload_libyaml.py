"""The libyaml-event loader gives what the pure-Python loader gives: data, lines, duplicates, errors.

Why it matters: start-up parses every rule file and payer profile with libyaml's parser (six times
faster); a rule author must still see the same data, the same ``file:line`` and the same message.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrubber.rulespec import yamlload
from scrubber.rulespec.yamlload import YamlProblem, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("payer_profiles/**/*.yaml"),
                  *ROOT.glob("fixtures/**/*.yaml")])

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")


def _shape(x):
    """Data with every line kept, for comparing two parses (plain lists/dicts have no lines)."""
    if isinstance(x, dict):
        return ("map", getattr(x, "line", None), getattr(x, "key_lines", None), {k: _shape(v) for k, v in x.items()})
    if isinstance(x, list):
        return ("seq", getattr(x, "line", None), getattr(x, "item_lines", None), [_shape(v) for v in x])
    return (type(x).__name__, x)


def _both(text: str, dates_as_text: bool):
    c = yamlload._run(yamlload._CTextDateLoader if dates_as_text else yamlload._CLineLoader, text)
    py = yamlload._run(yamlload._TextDateLoader if dates_as_text else yamlload._LineLoader, text)
    return c, py


def test_the_shipped_files_parse_the_same_through_libyaml_with_the_same_lines():
    assert len(SHIPPED) > 80  # the rule packs, payer profiles and fixtures are found
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        for dates_as_text in (False, True):
            (c, c_dup), (py, py_dup) = _both(text, dates_as_text)
            assert _shape(c) == _shape(py), path
            assert c_dup == py_dup, path


# Made-up snippets at the corners where YAML parsers tend to differ.
TRICKY = [
    "a: 1\na: 2\n",                                  # duplicate key (noted, not an error here)
    "a: &x [1, 2]\nb: *x\nc: {<<: {d: 1}, e: 2}\n",  # anchors, aliases, merge keys
    "a: |\n  two\n  lines\nb: >-\n  folded\n  text\n",
    "- - - x\n  - y\n- z\n",                          # compact nested sequences
    "? [a, b]\n: c\n",                               # a complex key (refused: not hashable)
    "a: 2024-10-01\nb: 2024-10-1\nc: 0x1F\nd: 1_000\ne: yes\nf: ~\ng: .inf\n",
    "a: !!python/object:os.system x\n",              # unsafe tag refused
    "a: [1,\n",                                      # unclosed flow
    "a:\n\tb: 1\n",                                  # tab indentation
    "a: b: c\n",                                     # mapping in plain scalar
    "a: 'it''s'\nb: \"\\u00e9\\t\"\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",                             # two documents
    "[" * 70 + "]" * 70 + "\n",                      # deeper than MAX_DEPTH
    "a: \x07\n",                                     # a control character
    "",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("dates_as_text", [False, True])
def test_libyaml_and_pure_python_agree_on_made_up_corners(text, dates_as_text):
    """parse_yaml (libyaml first) returns what the pure-Python parse returns, or raises the same
    located YamlProblem, on every snippet."""
    try:
        expected = yamlload._parse_yaml(text, "made-up.yaml", dates_as_text)
    except YamlProblem as exc:
        with pytest.raises(YamlProblem) as got:
            parse_yaml(text, "made-up.yaml", dates_as_text=dates_as_text)
        assert str(got.value) == str(exc) and got.value.line == exc.line
        return
    data, dups = parse_yaml(text, "made-up.yaml", dates_as_text=dates_as_text)
    assert _shape(data) == _shape(expected[0]) and dups == expected[1]


def test_run_setup_parses_with_libyaml(monkeypatch):
    """The fast path is the one taken for good YAML (the pure-Python loader is not called)."""
    def refuse(*args, **kwargs):
        raise AssertionError("pure-Python parse used for good YAML")

    monkeypatch.setattr(yamlload, "_parse_yaml", refuse)
    data, _ = parse_yaml("a: [1, 2]\n", "made-up.yaml")
    assert data == {"a": [1, 2]} and data["a"].line == 1
    assert yamlload.CParser is not None  # PyYAML with libyaml (see the skip above) gives the fast path
