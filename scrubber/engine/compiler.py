"""RuleSpec -> durable-rules ruleset definitions (plain JSON; no durable import here).

Each rule becomes one durable rule per term of its condition in disjunctive normal form
(``any`` across two facts splits into terms; ``any`` within one fact stays a ``$or``), so
a binding can fire more than once: the runner de-duplicates firings by binding. Every alias
is one fact pattern joined on ``cid`` (the claim), aliases of one fact type differ on ``i``,
relation aliases match their endpoints' ``i``. Tests on a field durable-rules must not see
(value sets, regexes, same-fact comparisons) read the Python-computed tags instead.
"""
from __future__ import annotations

from scrubber.engine.plan import FactPlan, alias_type_key, ref_keys, tag_of_test
from scrubber.rulespec.fields import fact_key
from scrubber.rulespec.model import AllOf, AnyOf, Not, Rule, Test, date_int

MAX_TERMS = 64
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_NEG = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DOP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


class CompileError(Exception):
    pass


def _cmp(op: str, k: str, v):
    return {k: v} if op == "eq" else {_DOP[op]: {k: v}}


def _or(xs):
    return xs[0] if len(xs) == 1 else {"$or": xs}


def _and(xs):
    """A conjunction, flattened: durable-rules ignores conditions after a nested ``$and`` (measured)."""
    flat = []
    for x in xs:
        flat.extend(x["$and"] if isinstance(x, dict) and set(x) == {"$and"} else [x])
    return flat[0] if len(flat) == 1 else {"$and": flat}


def _ex(k):
    return {"$ex": {k: 1}}


def _nex(k):
    return {"$nex": {k: 1}}


class RuleCompiler:
    def __init__(self, plan: FactPlan):
        self.plan = plan

    # terms: list[dict[alias, list[expr]]]
    def leaf(self, rule: Rule, t: Test, neg: bool, order: dict) -> list[dict]:
        tag = tag_of_test(self.plan, rule, t)
        if tag is not None:
            return [{t.alias: [{tag.key: not neg}]}]
        k = fact_key(t.field)
        op = t.op
        if op in ("exists", "missing"):
            want = (op == "exists") != neg
            return [{t.alias: [_ex(k) if want else _nex(k)]}]
        if t.ref is not None:
            a, (ka, ha), b, (kb, hb) = t.alias, ref_keys(t.field), t.ref.alias, ref_keys(t.ref.field)
            cop = op
            if order[a] < order[b]:  # put the comparison on the later alias, referring back
                a, ka, ha, b, kb, hb, cop = b, kb, hb, a, ka, ha, _FLIP[op]
            if not neg:
                return [{a: [{ha: True}, _cmp(cop, ka, {b: kb})], b: [{hb: True}]}]
            return [{a: [{ha: False}]}, {b: [{hb: False}]},
                    {a: [{ha: True}, _cmp(_NEG[cop], ka, {b: kb})], b: [{hb: True}]}]
        v = t.value
        if op in _NEG:
            expr = _cmp(op, k, v) if not neg else _or([_nex(k), _cmp(_NEG[op], k, v)])
        elif op == "in":
            pos = _or([{k: x} for x in v])
            expr = pos if not neg else _or([_nex(k), _and([{"$neq": {k: x}} for x in v])])
        elif op == "not_in":
            pos = _and([_ex(k)] + [{"$neq": {k: x}} for x in v])
            expr = pos if not neg else _or([_nex(k)] + [{k: x} for x in v])
        elif op == "between":
            lo, hi = v
            expr = (_and([{"$gte": {k: lo}}, {"$lte": {k: hi}}]) if not neg
                    else _or([_nex(k), {"$lt": {k: lo}}, {"$gt": {k: hi}}]))
        else:
            raise CompileError(f"{rule.path}:{t.line}: operator {op} cannot be compiled")
        return [{t.alias: [expr]}]

    def dnf(self, rule: Rule, node, neg: bool, order: dict) -> list[dict]:
        if isinstance(node, Test):
            return self.leaf(rule, node, neg, order)
        if isinstance(node, Not):
            return self.dnf(rule, node.item, not neg, order)
        conj = isinstance(node, AllOf) != neg  # De Morgan
        parts = [self.dnf(rule, n, neg, order) for n in node.items]
        if conj:
            terms = [{}]
            for p in parts:
                terms = [_merge(t, u) for t in terms for u in p]
                if len(terms) > MAX_TERMS:
                    raise CompileError(f"{rule.path}:{node.line}: condition too complex for the engine "
                                       f"(more than {MAX_TERMS} alternatives); split the rule")
            return terms
        single = [p[0] for p in parts if len(p) == 1 and len(p[0]) == 1]
        if len(single) == len(parts) and len({next(iter(t)) for t in single}) == 1:
            alias = next(iter(single[0]))
            return [{alias: [_or([_and(t[alias]) for t in single])]}]
        terms = [t for p in parts for t in p]
        if len(terms) > MAX_TERMS:
            raise CompileError(f"{rule.path}:{node.line}: condition too complex for the engine; split the rule")
        return terms

    def compile_rule(self, rule: Rule) -> list[dict]:
        """The durable-rules definitions (without ``run``) for one rule, one per DNF term."""
        names = [rule.subject] + [a for a in rule.aliases if a != rule.subject and rule.aliases[a].fact_type != "rel"]
        names += [a for a in rule.aliases if rule.aliases[a].fact_type == "rel"]
        order = {n: k for k, n in enumerate(names)}
        in_force = []
        if rule.effective is not None:
            in_force.append(_or([_nex("dos"), {"$gte": {"dos": date_int(rule.effective)}}]))
        if rule.expires is not None:
            in_force.append(_or([_nex("dos"), {"$lte": {"dos": date_int(rule.expires)}}]))
        out = []
        for term in self.dnf(rule, rule.when, False, order):
            patterns = []
            for n in names:
                a = rule.aliases[n]
                conds = [{"t": alias_type_key(rule, n)}]
                if n != names[0]:
                    conds.append({"cid": {names[0]: "cid"}})
                for m in names[: order[n]]:
                    if rule.aliases[m].fact_type == a.fact_type and a.fact_type != "rel":
                        conds.append({"$neq": {"i": {m: "i"}}})
                if a.fact_type == "rel":
                    conds.append({"ra": {a.src: "i"}})
                    conds.append({"rb": {a.dst: "i"}})
                if n == rule.subject:
                    conds.extend(in_force)
                own = list(term.get(n, ()))
                # comparisons that refer to another fact go first: placed after a nested $or / $and,
                # durable-rules ignored or inverted them (measured; tests/test_engine_pitfalls.py)
                conds.extend([c for c in own if _has_ref(c)] + [c for c in own if not _has_ref(c)])
                patterns.append({n: _and(conds)})
            out.append({"all": patterns})
        return out


def _has_ref(cond) -> bool:
    if isinstance(cond, dict):
        for k, v in cond.items():
            if k in ("$and", "$or"):
                continue
            if isinstance(v, dict) and any(isinstance(x, dict) for x in v.values()):
                return True
    return False


def _merge(a: dict, b: dict) -> dict:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, []).extend(v)
    return out


def sink_rules(fact_types) -> dict:
    """One rule per fact type that can never fire (a join against a type no fact has), so no fact
    is ever unmatched (durable-rules raises MessageNotHandledException and skips that call's actions)."""
    return {
        f"sink_{k}": {"all": [{"x": {"t": ft}}, {"y": {"$and": [{"t": "__never__"}, {"cid": {"x": "cid"}}]}}]}
        for k, ft in enumerate(sorted(fact_types))
    }
