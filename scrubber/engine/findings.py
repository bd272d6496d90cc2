"""A firing (rule, binding) -> Finding: message from the template, location from the field that fired."""
from __future__ import annotations

import re
from typing import Optional

from scrubber.engine.facts import ClaimFacts, Fact
from scrubber.engine.plan import alias_type_key
from scrubber.model import Finding, Loc
from scrubber.rulespec import fields as F
from scrubber.rulespec.model import Rule, walk
from scrubber.rulespec.registry import DERIVED, RELATIONS

_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_.]*)\}")
_LIST_LOC = {"modifier1": "modifiers", "modifier2": "modifiers", "modifier3": "modifiers", "modifier4": "modifiers",
             "rendering_npi": "providers"}


def bound_facts(rule: Rule, binding: tuple, cf: ClaimFacts) -> dict[str, Fact]:
    return {alias: cf.facts[alias_type_key(rule, alias)][i] for alias, i in binding}


def _ftype(rule: Rule, alias: str, fname: str) -> Optional[str]:
    a = rule.aliases.get(alias)
    if a is None:
        return F.field_type(alias, fname, DERIVED)
    if a.fact_type == "rel":
        return RELATIONS[a.relation].fields.get(fname)
    return F.field_type(a.fact_type, fname, DERIVED)


MONEY_FIELDS = ("total_charge", "charge", "line_charge_total")


def render(value, ftype: Optional[str], fname: str = "") -> str:
    if value is None:
        return "(none)"
    if ftype == "date" and isinstance(value, int):
        return f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and fname in MONEY_FIELDS:
        return f"{value:.2f}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)


def fill(template: Optional[str], rule: Rule, env: dict[str, Fact], cf: ClaimFacts) -> Optional[str]:
    if template is None:
        return None

    def sub(m):
        alias, fname = m.group(1), m.group(2)
        fact = env.get(alias)
        if fact is None and alias == "claim":
            fact = cf.facts["claim"][0]
        if fact is None:
            return m.group(0)
        return render(fact.values.get(F.fact_key(fname)), _ftype(rule, alias, fname), fname)

    return _TEMPLATE.sub(sub, template)


def _loc_of(obj, fname: str, ftype: str) -> Optional[Loc]:
    locs = getattr(obj, "locs", None) or {}
    spec = DERIVED.get((ftype, fname))
    if spec is not None:
        return locs.get(spec.loc_field) if spec.loc_field else None
    return locs.get(fname) or locs.get(_LIST_LOC.get(fname, ""))


def location(rule: Rule, env: dict[str, Fact], cf: ClaimFacts) -> tuple[Optional[str], Optional[int]]:
    subject = env[rule.subject]
    for t in walk(rule.when):
        if t.alias == rule.subject:
            loc = _loc_of(subject.obj, t.field, subject.type)
            if loc is not None:
                return loc.path, loc.segment
    for obj in (subject.obj, cf.claim):
        locs = getattr(obj, "locs", None) or {}
        for loc in locs.values():
            return loc.path, loc.segment
    return None, cf.claim.source.segment


def make_finding(rule: Rule, binding: tuple, cf: ClaimFacts, severity: str) -> Finding:
    env = bound_facts(rule, binding, cf)
    subject = env[rule.subject]
    line = None
    if subject.type == "line":
        line = subject.obj.number
    elif subject.type == "provider" and subject.values.get("line") is not None:
        line = int(subject.values["line"])
    path, segment = location(rule, env, cf)
    codes = []
    for alias, _ in binding:
        f = env[alias]
        if f.type in ("line", "diagnosis") and f.values.get("code"):
            if f.values["code"] not in codes:
                codes.append(f.values["code"])
    return Finding(
        rule_id=rule.id, severity=severity, category=rule.category,
        message=fill(rule.message, rule, env, cf), suggestion=fill(rule.suggestion, rule, env, cf),
        source=rule.source, line=line, location_path=path, location_segment=segment, codes=tuple(codes),
    )
