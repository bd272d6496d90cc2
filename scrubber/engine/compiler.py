"""RuleSpec -> durable-rules ruleset definitions (plain JSON; no durable import here).

Every maximal subtree of a condition that reads one fact is a Python-computed tag
(``scrubber.engine.tags``), less its plain literal comparisons (``plan.direct_test``), so what is
compiled here is mostly the structure *between* facts: each rule
becomes one durable rule per term of its condition in disjunctive normal form over tags and
cross-fact comparisons (a binding can fire more than once: the engine de-duplicates firings by
binding). Every alias is one fact pattern joined on ``cid`` (the claim), aliases of one fact type
differ on ``i``, relation aliases match their endpoints' ``i``. Each pattern is one flat ``$and``
of equality tests on tags and presence flags, direct literal comparisons, joins and comparisons
with other facts: durable-rules never sees ``$ex`` / ``$nex``, ``$neq`` on a literal, a regex, or a
nested ``$or`` / ``$and``.
"""
from __future__ import annotations

from scrubber.engine.plan import (FactPlan, alias_type_key, engine_when, in_force_tag, ref_keys, split_direct,
                                  subtree_tag)
from scrubber.rulespec.fields import fact_key
from scrubber.engine.tags import grouped_items, single_alias
from scrubber.rulespec.model import AllOf, Not, Ref, Rule, Test

MAX_TERMS = 64
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_NEG = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DOP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


class CompileError(Exception):
    pass


def _cmp(op: str, k: str, v):
    return {k: v} if op == "eq" else {_DOP[op]: {k: v}}


def _and(xs):
    """A conjunction, flattened: durable-rules ignores conditions after a nested ``$and`` (measured)."""
    flat = []
    for x in xs:
        flat.extend(x["$and"] if isinstance(x, dict) and set(x) == {"$and"} else [x])
    return flat[0] if len(flat) == 1 else {"$and": flat}


class RuleCompiler:
    def __init__(self, plan: FactPlan):
        self.plan = plan

    # terms: list[dict[alias, list[expr]]]
    def leaf(self, rule: Rule, t: Test, neg: bool, order: dict) -> list[dict]:
        """A comparison between two facts (single-fact tests are tags, see ``dnf``)."""
        if t.ref is None or t.ref.alias == t.alias or t.op not in _NEG:
            raise CompileError(f"{rule.path}:{t.line}: operator {t.op} cannot be compiled between two facts")
        a, (ka, ha), b, (kb, hb) = t.alias, ref_keys(t.field), t.ref.alias, ref_keys(t.ref.field)
        cop = t.op
        if order[a] < order[b]:  # put the comparison on the later alias, referring back
            a, ka, ha, b, kb, hb, cop = b, kb, hb, a, ka, ha, _FLIP[cop]
        if not neg:
            return [{a: [{ha: True}, _cmp(cop, ka, {b: kb})] + self._partner(rule, t, t.alias),
                     b: [{hb: True}] + self._partner(rule, t, t.ref.alias)}]
        return [{a: [{ha: False}]}, {b: [{hb: False}]},
                {a: [{ha: True}, _cmp(_NEG[cop], ka, {b: kb})], b: [{hb: True}]}]

    def _partner(self, rule: Rule, t: Test, alias: str) -> list[dict]:
        """For an equality between two facts, the test "this fact has a partner": a flag computed per fact
        (``FactPlan.semi_join``) that the equality implies, so the pre-filter can leave out facts with no
        partner in their claim (a diagnosis whose code no other diagnosis has). Relations: none."""
        if t.op != "eq" or "rel" in (rule.aliases[t.alias].fact_type, rule.aliases[t.ref.alias].fact_type):
            return []
        mine, other = (t.field, t.ref) if alias == t.alias else (t.ref.field, Ref(t.alias, t.field))
        return [{self.plan.semi_join(alias_type_key(rule, alias), mine, alias_type_key(rule, other.alias), other.field): True}]

    def dnf(self, rule: Rule, node, neg: bool, order: dict) -> list[dict]:
        """Terms ({alias: [conditions]}) whose disjunction is ``node`` (negated when ``neg``)."""
        if isinstance(node, Not):  # a negated tag is the tag tested for False: one tag for x and not x
            return self.dnf(rule, node.item, not neg, order)
        alias = single_alias(node)
        if alias is not None:  # one fact: plain comparisons direct, the rest one tag (see plan.direct_test)
            direct, rest = split_direct(node, neg)
            conds = [_cmp(t.op, fact_key(t.field), t.value) for t in direct]
            if rest is not None:
                conds.append({subtree_tag(self.plan, rule, rest).key: not neg})
            return [{alias: conds}]
        if isinstance(node, Test):
            return self.leaf(rule, node, neg, order)
        parts = [self.dnf(rule, n, neg, order) for n in grouped_items(node)]
        if isinstance(node, AllOf) != neg:  # a conjunction (De Morgan under negation)
            terms = [{}]
            for p in parts:
                terms = [m for t in terms for u in p if (m := _merge(t, u)) is not None]
                if len(terms) > MAX_TERMS:
                    raise CompileError(f"{rule.path}:{node.line}: condition too complex for the engine "
                                       f"(more than {MAX_TERMS} alternatives); split the rule")
            return terms
        terms = [t for p in parts for t in p]
        if len(terms) > MAX_TERMS:
            raise CompileError(f"{rule.path}:{node.line}: condition too complex for the engine; split the rule")
        return terms

    def compile_rule(self, rule: Rule) -> list[dict]:
        """The durable-rules definitions (without ``run``) for one rule, one per DNF term."""
        names = pattern_order(rule)
        order = {n: k for k, n in enumerate(names)}
        window = in_force_tag(self.plan, rule)
        in_force = [{window.key: True}] if window is not None else []
        out = []
        for term in self.dnf(rule, engine_when(self.plan, rule), False, order):
            patterns = []
            for n in names:
                a = rule.aliases[n]
                conds = [{"t": alias_type_key(rule, n)}]
                if n != names[0]:
                    conds.append({"cid": {names[0]: "cid"}})
                for m in names[: order[n]]:
                    if rule.aliases[m].fact_type == a.fact_type and a.fact_type != "rel":
                        conds.append({"$neq": {"i": {m: "i"}}})
                if a.fact_type == "rel":  # match the endpoints placed before it
                    conds.extend({k: {e: "i"}} for k, e in (("ra", a.src), ("rb", a.dst)) if order[e] < order[n])
                else:  # an endpoint placed after its relation is the one that relation names
                    conds.extend({"i": {m: k}} for m in names[: order[n]] if rule.aliases[m].fact_type == "rel"
                                 for k, e in (("ra", rule.aliases[m].src), ("rb", rule.aliases[m].dst)) if e == n)
                if n == rule.subject:
                    conds.extend(in_force)
                own = list(term.get(n, ()))
                # comparisons that refer to another fact go first: placed after a nested $or / $and,
                # durable-rules ignored or inverted them (measured; tests/test_engine_pitfalls.py).
                # Patterns are flat now, so this is a second guard, not the only one.
                conds.extend([c for c in own if _has_ref(c)] + [c for c in own if not _has_ref(c)])
                patterns.append({n: _and(conds)})
            out.append({"all": patterns})
        return out


def pattern_order(rule: Rule) -> list[str]:
    """The order of a rule's fact patterns: the subject first, and each relation as soon as one of its
    endpoints is placed, its other endpoint right after it.

    durable-rules builds partial matches pattern by pattern: ``line, col1: line, edit`` made every
    pair of lines of a claim a frame before the relation filtered them (a 1,000-line claim: a
    million frames, 0.6 GB). ``line, edit, col1`` joins each line only with its own relation facts,
    and ``col1`` is then one look-up by ``i``.
    """
    names = [rule.subject]
    rels = [a for a in rule.aliases if rule.aliases[a].fact_type == "rel"]
    rest = [a for a in rule.aliases if a != rule.subject and rule.aliases[a].fact_type != "rel"]
    while rels or rest:
        ready = next((r for r in rels if rule.aliases[r].src in names or rule.aliases[r].dst in names), None)
        if ready is None:
            if not rest:  # a relation whose endpoints are all still missing cannot happen (lint); keep it
                names += rels
                break
            names.append(rest.pop(0))
            continue
        rels.remove(ready)
        names.append(ready)
        for e in (rule.aliases[ready].src, rule.aliases[ready].dst):
            if e in rest:
                rest.remove(e)
                names.append(e)
    return names


def _has_ref(cond) -> bool:
    """Whether a condition compares with another fact: ``{key: {alias: key}}`` (equality) or
    ``{"$op": {key: {alias: key}}}``. (The equality form was once missed, which put it after a
    nested ``$or`` where durable-rules ignored it.)"""
    if not isinstance(cond, dict) or len(cond) != 1:
        return False
    k, v = next(iter(cond.items()))
    if k in ("$and", "$or"):
        return False
    if k.startswith("$"):
        return isinstance(v, dict) and any(isinstance(x, dict) for x in v.values())
    return isinstance(v, dict)


def _merge(a: dict, b: dict):
    """The conjunction of two terms, or None when it is contradictory (a tag or flag both true and false)."""
    out = {k: list(v) for k, v in a.items()}
    for k, conds in b.items():
        mine = out.setdefault(k, [])
        for c in conds:
            if c in mine:
                continue
            if len(c) == 1:
                (key, val), = c.items()
                if isinstance(val, bool) and {key: not val} in mine:
                    return None
            mine.append(c)
    return out



def sink_rules(fact_types) -> dict:
    """One rule per fact type that can never fire (a join against a type no fact has), so no fact
    is ever unmatched (durable-rules raises MessageNotHandledException and skips that call's actions)."""
    return {
        f"sink_{k}": {"all": [{"x": {"t": ft}}, {"y": {"$and": [{"t": "__never__"}, {"cid": {"x": "cid"}}]}}]}
        for k, ft in enumerate(sorted(fact_types))
    }
