"""The reference evaluator: a small pure-Python interpreter of the rule tree over the same facts.

It reads the RuleSpec directly (not the compiled durable-rules form) and evaluates value sets
and regexes itself (not through the tags), so a disagreement with durable-rules points at the
compiler, the tagging or the engine. Semantics: see ``scrubber.rulespec.model``.
"""
from __future__ import annotations

import re
from itertools import product
from typing import Iterator

from scrubber.engine.facts import ClaimFacts, compare
from scrubber.engine.plan import alias_type_key
from scrubber.rulespec.fields import fact_key
from scrubber.rulespec.model import AllOf, AnyOf, Not, Rule, Test
from scrubber.fields.registry import DERIVED

Binding = tuple  # ((alias, fact index), ...) sorted by alias


def _items(fact: dict, field: str, obj, ftype: str):
    if ftype == "line" and field == "modifiers":
        return list(obj.modifiers)
    if ftype == "line" and field == "dx_pointers":
        return [str(p) for p in obj.dx_pointers]
    if ftype == "claim" and field in ("condition_codes", "occurrence_codes", "value_codes"):
        return [e.code for e in getattr(obj, field)]
    spec = DERIVED.get((ftype, field))
    if spec is not None and spec.type == "list":  # a derived list: its items, space-joined in the fact
        v = fact.get(fact_key(field))
        return [] if v is None else str(v).split(" ")
    return None


class Oracle:
    def __init__(self, rules: list[Rule], valuesets):
        self.rules = rules
        self.valuesets = valuesets  # name -> ValueSet (callable lookup)
        self._rx: dict[str, re.Pattern] = {}

    def test(self, t: Test, env: dict) -> bool:
        fact, obj, ftype = env[t.alias]
        v = fact.get(fact_key(t.field))
        op = t.op
        if op == "exists":
            return v is not None
        if op == "missing":
            return v is None
        if t.ref is not None:
            other = env[t.ref.alias][0]
            return compare(op, v, other.get(fact_key(t.ref.field)))
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return compare(op, v, t.value)
        if op == "in":
            return any(compare("eq", v, x) for x in t.value)
        if op == "not_in":
            return v is not None and all(compare("ne", v, x) for x in t.value)
        if op == "between":
            return compare("ge", v, t.value[0]) and compare("le", v, t.value[1])
        if op == "matches":
            rx = self._rx.get(t.value) or self._rx.setdefault(t.value, re.compile(t.value))
            return v is not None and rx.fullmatch(str(v)) is not None
        if op == "in_set":
            vs = self.valuesets(t.value)
            items = _items(fact, t.field, obj, ftype)
            if items is not None:
                return any(vs.contains(x) for x in items)
            return v is not None and vs.contains(str(v))
        raise ValueError(f"unknown operator {op}")

    def holds(self, node, env: dict) -> bool:
        if isinstance(node, Test):
            return self.test(node, env)
        if isinstance(node, AllOf):
            return all(self.holds(n, env) for n in node.items)
        if isinstance(node, AnyOf):
            return any(self.holds(n, env) for n in node.items)
        if isinstance(node, Not):
            return not self.holds(node.item, env)
        raise TypeError(node)

    def bindings(self, rule: Rule, cf: ClaimFacts) -> Iterator[dict]:
        plain = [a for a in rule.aliases.values() if a.fact_type != "rel"]
        rels = [a for a in rule.aliases.values() if a.fact_type == "rel"]
        pools = [cf.facts.get(a.fact_type, ()) for a in plain]
        for combo in product(*pools):
            seen = set()
            ok = True
            for a, f in zip(plain, combo):
                if (a.fact_type, f.idx) in seen:
                    ok = False
                    break
                seen.add((a.fact_type, f.idx))
            if not ok:
                continue
            env = {a.name: (f.values, f.obj, a.fact_type) for a, f in zip(plain, combo)}
            yield from self._with_relations(rule, rels, cf, env)

    def _with_relations(self, rule, rels, cf, env):
        if not rels:
            yield env
            return
        a, rest = rels[0], rels[1:]
        src, dst = env[a.src][0]["i"], env[a.dst][0]["i"]
        for f in cf.facts.get(alias_type_key(rule, a.name), ()):
            if f.values["ra"] == src and f.values["rb"] == dst:
                yield from self._with_relations(rule, rest, cf, {**env, a.name: (f.values, f.obj, "rel")})

    def in_force(self, rule: Rule, env: dict) -> bool:
        dos = env[rule.subject][0].get("dos")
        if dos is None:
            return True
        from scrubber.rulespec.model import date_int

        if rule.effective is not None and dos < date_int(rule.effective):
            return False
        if rule.expires is not None and dos > date_int(rule.expires):
            return False
        return True

    def run(self, cf: ClaimFacts) -> set:
        """Firings of one claim: {(rule index, binding)}."""
        out = set()
        for k, rule in enumerate(self.rules):
            for env in self.bindings(rule, cf):
                if self.in_force(rule, env) and self.holds(rule.when, env):
                    out.add((k, tuple(sorted((name, e[0]["i"]) for name, e in env.items()))))
        return out
