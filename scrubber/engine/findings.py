"""A firing (rule, binding) -> Finding: message from the template, location from the field that fired."""
from __future__ import annotations

import re
from typing import Optional

from scrubber.engine.facts import ClaimFacts, Fact
from scrubber.engine.plan import alias_type_key
from scrubber.model import Finding, Loc
from scrubber.rulespec import fields as F
from scrubber.rulespec.model import Rule, walk
from scrubber.fields.registry import DERIVED, RELATIONS

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
    out = []
    for part in _template_parts(template, rule):
        if part.__class__ is str:
            out.append(part)
            continue
        alias, fname, key, ftype, written = part
        fact = env.get(alias)
        if fact is None and alias == "claim":
            fact = cf.facts["claim"][0]
        out.append(written if fact is None else render(fact.values.get(key), ftype, fname))
    return "".join(out)


def _template_parts(template: str, rule: Rule) -> tuple:
    """The template split once per rule: literal texts, and for each ``{alias.field}`` (alias, field,
    fact key, field type, the placeholder as written); a finding then only renders values."""
    memo = _PARTS.get((id(rule), template))
    if memo is not None and memo[0] is rule:  # the rule itself is kept, so its id cannot be reused
        return memo[1]
    parts: list = []
    pos = 0
    for m in _TEMPLATE.finditer(template):
        alias, fname = m.group(1), m.group(2)
        parts += [template[pos:m.start()], (alias, fname, F.fact_key(fname), _ftype(rule, alias, fname), m.group(0))]
        pos = m.end()
    parts.append(template[pos:])
    if len(_PARTS) >= 20_000:  # a bound for processes that load rule packs again and again
        _PARTS.clear()
    _PARTS[(id(rule), template)] = (rule, tuple(parts))
    return tuple(parts)


_PARTS: dict[tuple, tuple] = {}  # (id(rule), template) -> (rule, parts)


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
