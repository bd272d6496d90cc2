"""Tags: every test on one fact, computed in Python once per fact and handed to durable-rules as a boolean.

A *tag* is a maximal subtree of a rule's condition whose tests all read one alias (literals,
``exists`` / ``missing``, regexes, value sets, comparisons of two fields of that fact, and any
``all`` / ``any`` / ``not`` over them), less the plain non-negated literal comparisons that
durable-rules makes itself (``scrubber.engine.plan.direct_test``). Durable-rules then sees only
flat conjunctions of equality tests on tags, presence flags, those direct comparisons, the claim /
index joins and comparisons between two facts: never ``$ex`` / ``$nex``, ``$neq`` on a literal,
a regex or a nested ``$or`` / ``$and``.

Why: durable-rules 2.0.28 ignored or inverted a comparison with another fact placed after a nested
``$or`` / ``$and`` in the same pattern (tests/test_engine_pitfalls.py). A negated single-fact test
(``not`` over ``not_in``, ``eq``, ``between``...) compiled to ``$or: [$nex, ...]``, and a cross-fact
*equality* beside it was not recognised as a comparison, so it landed after that ``$or`` and was
dropped: every pair of lines fired. With tags there is no nested condition left to misplace.

Tags are keyed by a canonical form of the subtree (without line numbers or alias names), so the
same test in many rules, or on two aliases of one fact type, is one tag computed once per fact.
All tags of one fact type are evaluated by one generated function (``tag_function``), implementing
the rule language's semantics (``scrubber.rulespec.model``) with its own code; the oracle
(``scrubber.engine.oracle``) interprets the rule tree separately, so the agreement tests check both.
"""
from __future__ import annotations

import re
from typing import Callable, Optional

from scrubber.rulespec.fields import fact_key
from scrubber.rulespec.model import AllOf, AnyOf, Not, Test

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


def list_test(op: str, items, values) -> bool:
    """any_in / all_in / none_in over a list field's items: all_in needs at least one item; none_in
    holds on an empty list (a line without modifiers has none of them)."""
    if op == "any_in":
        return any(x in values for x in items)
    if op == "all_in":
        return bool(items) and all(x in values for x in items)
    if op == "none_in":
        return not any(x in values for x in items)
    raise ValueError(op)


def _list_items(raw: dict, fname: str, v) -> list:
    """A list field's items: the fact's raw list when built, else its space-joined text split."""
    items = raw.get(fname)
    if items is not None:
        return items
    return [] if v is None or v == "" else str(v).split(" ")


def single_alias(node) -> Optional[str]:
    """The one alias every test of ``node`` reads (a comparison with a field of the same fact counts),
    or None when the subtree reads two aliases."""
    if isinstance(node, Test):
        return node.alias if node.ref is None or node.ref.alias == node.alias else None
    if isinstance(node, Not):
        return single_alias(node.item)
    aliases = {single_alias(n) for n in node.items}
    return aliases.pop() if len(aliases) == 1 and None not in aliases else None


def grouped_items(node) -> tuple:
    """The children of an ``all`` / ``any`` that reads two or more facts, with the children that read
    one and the same fact merged into one node of the same kind (so they make one tag, not several:
    fewer properties per fact and fewer terms for durable-rules). Order: first appearance."""
    groups: dict = {}
    out: list = []
    for item in node.items:
        alias = single_alias(item)
        if alias is None:
            out.append(item)
        elif alias in groups:
            groups[alias].append(item)
        else:
            groups[alias] = [item]
            out.append(groups[alias])
    kind = type(node)
    return tuple(x if not isinstance(x, list) else (x[0] if len(x) == 1 else kind(tuple(x), node.line)) for x in out)


def canon(node) -> tuple:
    """A hashable form of a single-alias subtree without line numbers or alias names."""
    if isinstance(node, Test):
        return ("t", node.field, node.op, node.value, node.ref.field if node.ref is not None else None)
    if isinstance(node, Not):
        return ("not", canon(node.item))
    if len(node.items) == 1:  # all: [x] and any: [x] are x: one tag for the same test in any wrapping
        return canon(node.items[0])
    return ("all" if isinstance(node, AllOf) else "any", tuple(canon(n) for n in node.items))


def in_force_canon(effective: Optional[int], expires: Optional[int]) -> tuple:
    """The canonical form of "the rule is in force on this fact's date of service" (YYYYMMDD ints)."""
    return ("in_force", effective, expires)


# ---- all tags of one fact type as one generated function ----------------------------------------------
# A Python call per node per fact was a third of fact building; so every tag of a fact type is compiled
# into one function whose body reads each field once and evaluates each tag as one expression.
# Only fact keys (identifiers from the field catalog, written with repr) and the names below go into the
# source; every literal, regex and value-set name is passed in the constants tuple ``C`` by index.

def _in_set_of(raw: dict, fname: str, v, vs, name: str) -> bool:
    items = raw.get(fname)
    if items is not None:
        s = vs(name)
        return any(s.contains(x) for x in items)
    return v is not None and vs(name).contains(str(v))


_HELPERS = {"_compare": compare, "_literal_test": literal_test, "_in_set_of": _in_set_of, "_list_test": list_test,
            "_list_items": _list_items}
_PY_OP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class _Source:
    def __init__(self) -> None:
        self.consts: list = []
        self.fields: dict[str, str] = {}  # fact key -> local variable

    def const(self, value) -> str:
        self.consts.append(value)
        return f"C[{len(self.consts) - 1}]"

    def field(self, key: str) -> str:
        var = self.fields.get(key)
        if var is None:
            var = self.fields[key] = f"f{len(self.fields)}"
        return var

    def expr(self, form: tuple) -> str:
        kind = form[0]
        if kind == "in_force":
            _, eff, exp = form
            dos = self.field("dos")
            within = [f"{dos} >= {self.const(eff)}"] if eff is not None else []
            within += [f"{dos} <= {self.const(exp)}"] if exp is not None else []
            return f"({dos} is None or ({' and '.join(within)}))" if within else "True"
        if kind == "not":
            return f"(not {self.expr(form[1])})"
        if kind in ("all", "any"):
            joiner = " and " if kind == "all" else " or "
            return "(" + joiner.join(self.expr(f) for f in form[1]) + ")"
        _, fname, op, value, ref_field = form
        v = self.field(fact_key(fname))
        if op == "exists":
            return f"({v} is not None)"
        if op == "missing":
            return f"({v} is None)"
        if ref_field is not None:  # compare(), inlined: both present, bool with bool, text with text
            w = self.field(fact_key(ref_field))
            if op not in _PY_OP:
                return f"_compare({op!r}, {v}, {w})"
            return (f"({v} is not None and {w} is not None and isinstance({v}, bool) is isinstance({w}, bool)"
                    f" and isinstance({v}, str) is isinstance({w}, str) and {v} {_PY_OP[op]} {w})")
        if op == "matches":
            return f"({v} is not None and {self.const(re.compile(value))}.fullmatch(str({v})) is not None)"
        if op == "in_set":  # no raw lists (the common case): _in_set_of's text branch, inline
            name = self.const(value)
            return (f"(({v} is not None and vs({name}).contains({v} if {v}.__class__ is str else str({v})))"
                    f" if not raw else _in_set_of(raw, {self.const(fname)}, {v}, vs, {name}))")
        if op in ("any_in", "all_in", "none_in"):
            return f"_list_test({op!r}, _list_items(raw, {self.const(fname)}, {v}), {self.const(frozenset(value))})"
        if op in ("eq", "ne") and isinstance(value, bool):  # a bool equals only a bool (compare's rule)
            return f"({v} is {(value if op == 'eq' else not value)!r})"
        if op in _PY_OP and isinstance(value, str):  # text: equal types only (compare's rule)
            return f"(isinstance({v}, str) and {v} {_PY_OP[op]} {self.const(value)})"
        if op in _PY_OP and isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"({v} is not None and not isinstance({v}, (bool, str)) and {v} {_PY_OP[op]} {self.const(value)})"
        if op in _PY_OP:
            return f"_compare({op!r}, {v}, {self.const(value)})"
        if op == "in" and value and all(isinstance(x, str) for x in value):
            return f"({v} in {self.const(frozenset(value))})"
        if op == "not_in" and value and all(isinstance(x, str) for x in value):  # a text not among texts
            return f"(isinstance({v}, str) and {v} not in {self.const(frozenset(value))})"
        if op == "in" and value and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
            return f"({v} is not None and not isinstance({v}, (bool, str)) and {v} in {self.const(tuple(value))})"
        return f"_literal_test({op!r}, {v}, {self.const(value)})"


def tag_function(tags: list[tuple[str, tuple]]) -> Callable[[dict, dict, Callable], None]:
    """One function setting ``values[key] = <tag>`` for every (key, canonical form) in ``tags``."""
    src = _Source()
    body = [f"    values[{key!r}] = {src.expr(form)}" for key, form in tags]
    reads = [f"    {var} = get({key!r})" for key, var in src.fields.items()]
    code = "def _tags(values, raw, vs):\n    get = values.get\n" + "\n".join(reads + body) + "\n    return None\n"
    namespace = dict(_HELPERS, C=tuple(src.consts))
    exec(compile(code, "<claimscrub tags>", "exec"), namespace)  # noqa: S102 - source built above from keys only
    return namespace["_tags"]
