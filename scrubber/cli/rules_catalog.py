"""What ``rules list / explain / docs`` show beyond a YAML rule's own text.

Why: a rule author asked "where is this rule's logic?" and "what are the X12-* ids in my
findings?" and the tools answered neither. Here:

* ``structure_rules()`` -- the X12 reader's 25 built-in structure rules
  (``scrubber/readers/x12/rules.py``) shaped like YAML rules for listing and explaining; they are
  checked as the file is read, not by the rule engine, so they have no condition or test cases;
* ``reads_lines(rule)`` -- every field a YAML rule's condition reads and where its value comes
  from: the reader (a base field), a payer-profile parameter, or the ``scrubber.fields`` module
  and function that computes a derived field or pair relation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

STRUCTURE_PACK = "x12-structure"
STRUCTURE_HOME = "scrubber/readers/x12/rules.py"


@dataclass(frozen=True)
class StructureRule:
    """A built-in X12 structure rule with the attributes ``rules list / explain / docs`` read."""

    id: str
    title: str
    severity: str
    source: str
    suggestion: str
    category: str = "structure"
    pack: str = STRUCTURE_PACK
    path: str = STRUCTURE_HOME
    when: None = None  # no condition: the reader checks it while reading
    aliases: dict = field(default_factory=dict)


def structure_rules() -> list[StructureRule]:
    from scrubber.readers.x12.rules import RULES

    return [StructureRule(rid, r.title, r.severity, r.source, r.suggestion) for rid, r in RULES.items()]


def structure_rule(rule_id: str) -> Optional[StructureRule]:
    return next((r for r in structure_rules() if r.id == rule_id), None)


def structure_explain_text(r: StructureRule) -> str:
    return "\n".join([
        f"{r.id}: {r.title}",
        f"  severity {r.severity}, category {r.category}, built into the X12 reader ({r.path})",
        f"  source: {r.source}",
        "  checked while the 837 is read (WEDI SNIP levels 1-2: envelopes, control numbers, counts, segment "
        "vocabulary and order, required segments and elements, data types); a finding names the loop, "
        "element and segment number",
        f"  fix: {r.suggestion}",
    ])


def _where(fact_type: str, name: str) -> str:
    """Where the value of ``fact_type.name`` comes from, in words."""
    from scrubber.fields.registry import DERIVED
    from scrubber.rulespec.fields import BASE_FIELDS, PARAM_PREFIX

    if fact_type == "claim" and name.startswith(PARAM_PREFIX):
        return f"payer-profile parameter {name[len(PARAM_PREFIX):]}"
    spec = DERIVED.get((fact_type, name))
    if spec is not None:
        return f"derived: {spec.func.__module__}.{spec.func.__name__}"
    if name in BASE_FIELDS.get(fact_type, {}):
        return "base field: the claim as read, scrubber.engine.base"
    return "unknown field"


_PLACEHOLDER = re.compile(r"\{(\w+)\.([\w.]+)\}")


def read_fields(rule) -> list[tuple[str, str]]:
    """(alias, field) of every field the rule reads: its condition's tests first, then the
    placeholders of its message and suggestion, each once, in that order."""
    from scrubber.rulespec.model import walk

    out: dict[tuple[str, str], None] = {}
    for test in walk(rule.when):
        out[(test.alias, test.field)] = None
        if test.ref is not None:
            out[(test.ref.alias, test.ref.field)] = None
    for text in (rule.message, rule.suggestion or ""):
        for alias_name, name in _PLACEHOLDER.findall(text):
            out[(alias_name, name)] = None
    return list(out)


def reads_lines(rule) -> list[str]:
    """``  reads:`` and one line per distinct field the rule reads (condition, message, fix) with
    where its value comes from."""
    from scrubber.fields.registry import RELATIONS

    def relation(alias) -> str:
        rel = RELATIONS.get(alias.relation)
        return f"pair relation {alias.relation}" + (f": {rel.func.__module__}.{rel.func.__name__}" if rel else "")

    seen: dict[str, str] = {}
    for alias_name, name in read_fields(rule):
        alias = rule.aliases.get(alias_name)
        fact_type = alias.fact_type if alias else alias_name
        if fact_type == "rel" and alias is not None:
            seen.setdefault(f"{alias_name}.{name}", relation(alias))
        else:
            seen.setdefault(f"{fact_type}.{name}", _where(fact_type, name))
    for alias in rule.aliases.values():  # a relation joined on without a test on its attributes
        if alias.fact_type == "rel" and not any(k.startswith(alias.name + ".") for k in seen):
            seen[alias.name] = relation(alias)
    if not seen:
        return []
    return ["  reads:"] + [f"    {k}  ({v})" for k, v in seen.items()]
