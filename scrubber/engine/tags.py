"""Tags: every test on one fact, computed in Python once per fact and handed to durable-rules as a boolean.

A *tag* is a maximal subtree of a rule's condition whose tests all read one alias (literals,
``exists`` / ``missing``, regexes, value sets, comparisons of two fields of that fact, and any
``all`` / ``any`` / ``not`` over them). Durable-rules then sees only flat conjunctions of
equality tests on tags, presence flags, the claim / index joins and comparisons between two
facts: never ``$ex`` / ``$nex``, a literal comparison, a regex or a nested ``$or`` / ``$and``.

Why: durable-rules 2.0.28 ignored or inverted a comparison with another fact placed after a nested
``$or`` / ``$and`` in the same pattern (tests/test_engine_pitfalls.py). A negated single-fact test
(``not`` over ``not_in``, ``eq``, ``between``...) compiled to ``$or: [$nex, ...]``, and a cross-fact
*equality* beside it was not recognised as a comparison, so it landed after that ``$or`` and was
dropped: every pair of lines fired. With tags there is no nested condition left to misplace.

Tags are keyed by a canonical form of the subtree (without line numbers or alias names), so the
same test in many rules, or on two aliases of one fact type, is one tag computed once per fact.
The predicates here implement the rule language's semantics (``scrubber.rulespec.model``) with
their own code; the oracle (``scrubber.engine.oracle``) interprets the rule tree separately.
"""
from __future__ import annotations

import re
from typing import Callable, Optional

from scrubber.rulespec.fields import fact_key
from scrubber.rulespec.model import AllOf, AnyOf, Not, Test

Predicate = Callable[[dict, dict, Callable], bool]  # (fact values, list fields as lists, value sets) -> bool

_CMP = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
}


def compare(op: str, a, b) -> bool:
    """The rule language's comparison: false when either side is missing or the types differ."""
    if a is None or b is None:
        return False
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return _CMP[op](a, b)


def literal_test(op: str, v, value) -> bool:
    """A comparison against a literal, with the rule language's semantics."""
    if op in _CMP:
        return compare(op, v, value)
    if op == "in":
        return any(compare("eq", v, x) for x in value)
    if op == "not_in":
        return v is not None and all(compare("ne", v, x) for x in value)
    if op == "between":
        return compare("ge", v, value[0]) and compare("le", v, value[1])
    raise ValueError(op)


def single_alias(node) -> Optional[str]:
    """The one alias every test of ``node`` reads (a comparison with a field of the same fact counts),
    or None when the subtree reads two aliases."""
    if isinstance(node, Test):
        return node.alias if node.ref is None or node.ref.alias == node.alias else None
    if isinstance(node, Not):
        return single_alias(node.item)
    aliases = {single_alias(n) for n in node.items}
    return aliases.pop() if len(aliases) == 1 and None not in aliases else None


def canon(node) -> tuple:
    """A hashable form of a single-alias subtree without line numbers or alias names."""
    if isinstance(node, Test):
        return ("t", node.field, node.op, node.value, node.ref.field if node.ref is not None else None)
    if isinstance(node, Not):
        return ("not", canon(node.item))
    return ("all" if isinstance(node, AllOf) else "any", tuple(canon(n) for n in node.items))


def in_force_canon(effective: Optional[int], expires: Optional[int]) -> tuple:
    """The canonical form of "the rule is in force on this fact's date of service" (YYYYMMDD ints)."""
    return ("in_force", effective, expires)


def predicate(form: tuple) -> Predicate:
    """A Python function evaluating a canonical subtree on one fact's values."""
    kind = form[0]
    if kind == "in_force":
        _, eff, exp = form

        def in_force(values, raw, vs):
            dos = values.get("dos")
            return dos is None or ((eff is None or dos >= eff) and (exp is None or dos <= exp))

        return in_force
    if kind == "not":
        inner = predicate(form[1])
        return lambda values, raw, vs: not inner(values, raw, vs)
    if kind in ("all", "any"):
        parts = tuple(predicate(f) for f in form[1])
        if kind == "all":
            return lambda values, raw, vs: all(p(values, raw, vs) for p in parts)
        return lambda values, raw, vs: any(p(values, raw, vs) for p in parts)
    _, fname, op, value, ref_field = form
    key = fact_key(fname)
    if op == "exists":
        return lambda values, raw, vs: values.get(key) is not None
    if op == "missing":
        return lambda values, raw, vs: values.get(key) is None
    if ref_field is not None:
        other = fact_key(ref_field)
        return lambda values, raw, vs: compare(op, values.get(key), values.get(other))
    if op == "matches":
        rx = re.compile(value)
        return lambda values, raw, vs: (v := values.get(key)) is not None and rx.fullmatch(str(v)) is not None
    if op == "in_set":
        def in_set(values, raw, vs):
            items = raw.get(fname)
            if items is not None:
                s = vs(value)
                return any(s.contains(x) for x in items)
            v = values.get(key)
            return v is not None and vs(value).contains(str(v))

        return in_set
    if op in _CMP:
        cmp = _CMP[op]
        if isinstance(value, str):
            return lambda values, raw, vs: isinstance(v := values.get(key), str) and cmp(v, value)
        return lambda values, raw, vs: compare(op, values.get(key), value)
    return lambda values, raw, vs: literal_test(op, values.get(key), value)
