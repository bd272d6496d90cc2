"""``schemacheck.conforms`` is only a short cut: it must give jsonschema's answer, never a yes where
jsonschema says no (a rule or profile error would then go unreported). Held to jsonschema on every
shipped and test rule file and payer profile, and on mutations of them (values of the wrong type,
unknown keys, missing keys), with the packaged schemas."""
from __future__ import annotations

import copy
import random
from pathlib import Path

import jsonschema
import pytest

from scrubber.config.schema_errors import load_schema, schema_problems as profile_schema_problems
from scrubber.config.yamlload import load_yaml
from scrubber.rulespec.parse import _jsonable, rule_schema, schema_problems as rule_schema_problems
from scrubber.rulespec.schemacheck import Unsupported, conforms, quick_valid
from scrubber.rulespec.yamlload import YamlProblem, load_yaml_file

ROOT = Path(__file__).resolve().parent.parent
REPLACEMENTS = (1, 1.5, 2.0, -3, True, False, None, "", "X", "2024-10-01", [], ["X"], {}, {"op": "eq"})


def _rule_docs():
    paths = [p for p in sorted((ROOT / "rules").rglob("*.yaml")) if p.name != "pack.yaml" and "valuesets" not in p.parts]
    paths += sorted((ROOT / "tests" / "broken_rules").rglob("*.yaml"))
    docs = []
    for p in paths:
        try:
            docs.append((p.name, _jsonable(load_yaml_file(p))))
        except YamlProblem:
            continue
    return docs


def _profile_docs():
    return [(p.name, load_yaml(str(p))[0]) for p in sorted((ROOT / "payer_profiles").glob("*.yaml"))]


def _paths(doc, at=()):
    """Every (path, value) inside ``doc``."""
    yield at, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, at + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, at + (i,))


def _set(doc, path, value):
    out = copy.deepcopy(doc)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def _mutations(doc, rng: random.Random, per_doc: int):
    spots = [p for p, _ in _paths(doc) if p]
    for _ in range(per_doc):
        path = rng.choice(spots)
        kind = rng.random()
        if kind < 0.7:
            yield _set(doc, path, rng.choice(REPLACEMENTS))
        else:
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            if isinstance(parent, dict):
                if kind < 0.85:  # a key removed (required ones included)
                    out = _set(doc, path, None)
                    node = out
                    for step in path[:-1]:
                        node = node[step]
                    del node[path[-1]]
                    yield out
                else:  # an unknown key beside it
                    yield _set(doc, path[:-1] + ("unexpected_key",), "X")


def _agree(instance, schema):
    truth = jsonschema.Draft202012Validator(schema).is_valid(instance)
    try:
        quick = conforms(instance, schema)
    except Unsupported:
        quick = None
    assert quick is None or quick == truth, (quick, truth, instance)
    assert not quick_valid(instance, schema) or truth
    return truth


def test_agrees_with_jsonschema_on_shipped_and_broken_rule_files():
    docs = _rule_docs()
    assert len(docs) > 50
    verdicts = [_agree(doc, rule_schema()) for _, doc in docs]
    assert any(verdicts) and not all(verdicts)  # the broken_rules files include schema errors


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_jsonschema_on_mutated_rule_files(seed):
    rng = random.Random(seed)
    verdicts = [_agree(m, rule_schema()) for _, doc in _rule_docs() for m in _mutations(doc, rng, 12)]
    assert verdicts.count(False) > 100 and verdicts.count(True) > 20


def test_agrees_with_jsonschema_on_payer_profiles_and_their_mutations():
    schema = load_schema("payer_profile.schema.json")
    rng = random.Random(7)
    for _, doc in _profile_docs():
        assert _agree(doc, schema)
        for m in _mutations(doc, rng, 60):
            _agree(m, schema)


def test_a_file_it_cannot_judge_still_gets_jsonschemas_messages():
    """The short cut says nothing about errors: an invalid rule and profile are worded as before."""
    rule = {"id": "INT-X-001", "title": "t", "severity": "warning", "when": {"field": "claim.total", "op": "equals"}}
    problems = rule_schema_problems(rule, "r.yaml")
    assert problems and all(p.startswith("r.yaml:") for p in problems)
    assert any("unknown operator 'equals'" in p and "did you mean 'eq'" in p for p in problems)
    profile = {"id": "x", "title": "X", "unexpected": 1}
    assert profile_schema_problems(profile, "payer_profile.schema.json", "p.yaml") == [
        "p.yaml:0: unknown key 'unexpected'; allowed here: " + ", ".join(sorted(load_schema("payer_profile.schema.json")["properties"]))
    ]


def test_unknown_keywords_are_not_judged():
    with pytest.raises(Unsupported):
        conforms({"a": 1}, {"type": "object", "maxProperties": 0})
    assert quick_valid({"a": 1}, {"type": "object", "maxProperties": 0}) is False
