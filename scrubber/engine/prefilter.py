"""Which of a claim's facts one durable-rules ruleset can use: the others are never asserted.

Why: most facts of most claims match no rule (a clean line fails every tag test its rules read),
yet each was projected, JSON-encoded and pushed through durable-rules' alpha network, about half
the engine's time. The compiled definitions (``scrubber.engine.compiler``) are conjunctions of fact
patterns, each one flat ``$and`` whose single-fact tests (tags, presence flags, literal
comparisons) durable-rules checks on the fact alone before any join. A fact that fails those tests
in every pattern of its type cannot enter any partial match, so leaving it out changes no firing;
and a rule some of whose patterns no fact of the claim passes cannot fire, so the facts only that
rule's patterns would take are left out too. A claim left with no fact is not asserted at all.

The tests here must never say "fails" where durable-rules would say "matches" (a dropped fact
would lose a finding); they may say "passes" wrongly (the fact is asserted as before). durable-rules
coerces across types (measured: ``"1"`` equals ``1``, ``true`` equals ``1.0``, ``"4" < 5``), so a
test decides only when value and literal are of one kind (text, bool, number); numbers are
compared with a tolerance, text containing NUL is kept. A missing key fails (measured: durable-rules
does not match an absent property). Anything this module does not recognise (another operator, a
nested ``$or``, a definition with more than ``all``) counts as "passes"; a pattern with no ``t``
test, or a definition that is not a plain ``all`` list, turns the filter off for the ruleset.
"""
from __future__ import annotations

from typing import Callable, Optional

_CMP = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}


def _cond_expr(cond) -> Optional[str]:
    """A Python expression over ``d`` (the fact) that is False only when durable-rules surely fails
    ``cond``; None when the condition is not a single-fact test this module decides (it passes)."""
    if not isinstance(cond, dict) or len(cond) != 1:
        return None
    (k, v), = cond.items()
    if k in _CMP:
        if not isinstance(v, dict) or len(v) != 1:
            return None
        (key, lit), = v.items()
        if not isinstance(key, str) or isinstance(lit, bool) or not isinstance(lit, (int, float)):
            return None  # a reference to another fact, or a comparison with text: not decided here
        tol = 1e-9 * max(1.0, abs(float(lit)))
        bound = repr(float(lit) + tol) if k in ("$lt", "$lte") else repr(float(lit) - tol)
        return (f"((v := g({key!r})) is not None and ((v.__class__ is not int and v.__class__ is not float)"
                f" or v {_CMP[k]} {bound}))")
    if k.startswith("$") or not isinstance(k, str):
        return None
    if isinstance(v, bool):
        return f"((v := g({k!r})) is {v!r} or (v is not None and v.__class__ is not bool))"
    if isinstance(v, str):
        return f"((v := g({k!r})) == {v!r} or (v is not None and (v.__class__ is not str or '\\x00' in v)))"
    if isinstance(v, (int, float)):
        tol = 1e-9 * max(1.0, abs(float(v)))
        return (f"((v := g({k!r})) is not None and ((v.__class__ is not int and v.__class__ is not float)"
                f" or abs(v - {float(v)!r}) <= {tol!r}))")
    return None  # a reference ({alias: key}) or another literal: a join, not this module's


def _pattern(cond) -> Optional[tuple[str, tuple[str, ...]]]:
    """(fact type key, the single-fact test expressions) of one pattern, or None when its type is not
    named by a plain ``t`` test."""
    conds = cond["$and"] if isinstance(cond, dict) and set(cond) == {"$and"} else [cond]
    if not isinstance(conds, list):
        return None
    ftype, exprs = None, []
    for c in conds:
        if isinstance(c, dict) and len(c) == 1 and isinstance(c.get("t"), str):
            ftype = c["t"]
            continue
        e = _cond_expr(c)
        if e is not None:
            exprs.append(e)
    return None if ftype is None else (ftype, tuple(sorted(set(exprs))))


def _join_tests(cond, other: str) -> Optional[tuple]:
    """The tests of one pattern against the fact bound to alias ``other``: ((op, key, other's key), ...),
    op ``"eq"`` or a comparison; None when the pattern refers to any other alias (not decided here)."""
    conds = cond["$and"] if isinstance(cond, dict) and set(cond) == {"$and"} else [cond]
    if not isinstance(conds, list):
        return None
    out = []
    for c in conds:
        if not isinstance(c, dict) or len(c) != 1:
            continue
        (k, v), = c.items()
        op = "eq"
        if k in _CMP or k == "$neq":
            if not isinstance(v, dict) or len(v) != 1:
                continue
            op, ((k, v),) = k, v.items()
        if not isinstance(k, str) or k.startswith("$") or not isinstance(v, dict) or len(v) != 1:
            continue  # a literal test (the mask's), or a form this module does not read
        (alias, ref), = v.items()
        if alias != other or not isinstance(ref, str):
            return None
        out.append((op, k, ref))
    return tuple(sorted(out))


def _kind(v) -> Optional[str]:
    if v.__class__ is bool:
        return "bool"
    if v.__class__ is int or v.__class__ is float:
        return "num"
    if v.__class__ is str:
        return None if "\x00" in v else "str"
    return None


def _surely_fails(op: str, x, y) -> bool:
    """True only when durable-rules surely fails ``x op y`` (both of one kind; numbers with a tolerance)."""
    kind = _kind(x)
    if kind is None or kind != _kind(y):
        return False  # durable-rules coerces across kinds: not decided here
    if op == "eq":
        return abs(x - y) > 1e-9 * max(1.0, abs(y)) if kind == "num" else x != y
    if op == "$neq":
        return x == y
    if kind != "num":
        return False
    tol = 1e-9 * max(1.0, abs(y))
    if op == "$lt":
        return x >= y + tol
    if op == "$lte":
        return x > y + tol
    if op == "$gt":
        return x <= y - tol
    return x < y - tol  # $gte


_NUM_FAILS = {  # x op y surely fails, both numbers (the tolerance of the literal tests above)
    "eq": "abs(x - y) > 1e-9 * max(1.0, abs(y))", "$neq": "x == y",
    "$lt": "x >= y + 1e-9 * max(1.0, abs(y))", "$lte": "x > y + 1e-9 * max(1.0, abs(y))",
    "$gt": "x <= y - 1e-9 * max(1.0, abs(y))", "$gte": "x < y - 1e-9 * max(1.0, abs(y))",
}


_INT_FAILS = {  # x op y surely fails, both ints: exact (rounding to a double keeps the order; equality
    # only below 2**53, where every int is a double of its own)
    "eq": "x != y and -9007199254740992 < x < 9007199254740992 and -9007199254740992 < y < 9007199254740992",
    "$neq": "x == y", "$lt": "x >= y", "$lte": "x > y", "$gt": "x <= y", "$gte": "x < y",
}


def _pair_check(bit_a: int, bit_b: int, tests: tuple) -> Callable[[list], bool]:
    """``any_pair(got)`` over one claim's (mask, fact) list: False only when for every pair of a fact
    that may match the first pattern (``bit_a``) and one that may match the second (``bit_b``), one
    of the second's join tests surely fails (a missing value decides nothing). Generated once per
    rule, from the compiled definitions' keys written with ``repr``; numbers are decided inline, the
    other kinds by ``_surely_fails``."""
    lines = ["def ok(a, b):"]
    for op, key, ref in tests:
        lines += [f"    x = b.get({key!r})", "    if x is not None:", f"        y = a.get({ref!r})",
                  "        if y is not None:", "            cx, cy = x.__class__, y.__class__",
                  "            if cx is int and cy is int:", f"                if {_INT_FAILS[op]}:",
                  "                    return False",
                  "            elif (cx is int or cx is float) and (cy is int or cy is float):",
                  f"                if {_NUM_FAILS[op]}:", "                    return False",
                  f"            elif _surely_fails({op!r}, x, y):", "                return False"]
    lines += ["    return True", "def any_pair(got):", f"    bs = [b for m, b in got if m & {bit_b}]",
              "    for m, a in got:", f"        if m & {bit_a}:", "            for b in bs:",
              "                if ok(a, b):", "                    return True", "    return False"]
    scope: dict = {"abs": abs, "max": max, "int": int, "float": float, "_surely_fails": _surely_fails}
    exec(compile("\n".join(lines), "<scrubber.engine.prefilter>", "exec"), scope)  # noqa: S102
    return scope["any_pair"]


def build_selector(definitions: dict, rule_keys: dict) -> Optional[Callable[[list], list]]:
    """``select(facts) -> facts`` for one ruleset: the facts of one claim it can use (a new list; the
    fact dicts are not copied), or None when the definitions are not all the plain form (no filter).

    A rule of two patterns whose second tests fields of the first's fact (two diagnoses with one
    code, two lines on one date) is needed only when some pair of facts passing the two patterns'
    single-fact tests may pass those join tests too: most claims have none, and then the rule's
    facts are not asserted.

    Where this meets the claim copies (``scrubber.engine.plan.engine_when``): a comparison between
    the claim and another of its facts is rewritten into a test of that fact alone (its copy of the
    claim field), so it is decided by the masks and never reaches this pair decision; what is left of
    such a rule's join is the claim id, which holds for every pair here and is dropped (no pair check
    then: the masks decide). So for claim-to-fact joins the copies subsume the pair decision; it is
    kept for joins between two facts of which neither is the claim (one copy of the other fact's
    field cannot stand for every fact of its type), e.g. the shipped duplicate-diagnosis rule. The
    ``FactPlan.semi_join`` flag of an equality ("some other fact has this value") prunes single facts
    before the pair decision; it does not replace it when the two patterns' other tests differ."""
    bits: dict = {}  # (fact type, tests) -> bit
    rules_found: set = set()  # (rule mask, None or (bit a, bit b, join tests))
    for name, d in definitions.items():
        if name not in rule_keys:
            continue  # sinks and the warm-up rule never fire
        if not isinstance(d, dict) or set(d) != {"all"} or not isinstance(d["all"], list) or not d["all"]:
            return None
        mask, pat_bits = 0, []
        for p in d["all"]:
            if not isinstance(p, dict) or len(p) != 1:
                return None
            got = _pattern(next(iter(p.values())))
            if got is None:
                return None
            pat_bits.append(1 << bits.setdefault(got, len(bits)))
            mask |= pat_bits[-1]
        join = None
        if len(d["all"]) == 2:
            (a_alias, a_cond), = d["all"][0].items()
            (_, b_cond), = d["all"][1].items()
            tests = _join_tests(b_cond, a_alias)
            if tests is not None:  # every fact ``select`` sees is of one claim: its cid test always holds
                tests = tuple(t for t in tests if t != ("eq", "cid", "cid"))
            if tests and _join_tests(a_cond, "") == ():  # the first pattern refers to no fact
                join = (pat_bits[0], pat_bits[1], tests)
        rules_found.add((mask, join))
    if not rules_found:
        return lambda facts: []
    by_type: dict = {}
    for (ftype, exprs), bit in bits.items():
        by_type.setdefault(ftype, []).append((bit, exprs))
    masks = {ftype: _mask_function(rows) for ftype, rows in by_type.items()}
    rules = tuple((rm, None if j is None else _pair_check(*j))
                  for rm, j in sorted(rules_found, key=lambda r: (r[0], r[1] is not None, repr(r[1]))))

    def select(facts: list) -> list:
        got = []
        seen = 0
        for f in facts:
            fn = masks.get(f["t"])
            m = fn(f) if fn is not None else 0
            if m:
                got.append((m, f))
                seen |= m
        if not seen:
            return []
        need = 0
        for rm, join in rules:
            if seen & rm != rm or rm & ~need == 0:
                continue  # a pattern no fact may match, or its facts are kept already
            if join is not None and not join(got):  # it fires only on a pair that passes its join tests
                continue
            need |= rm
        if not need:
            return []
        return [f for m, f in got if m & need]

    return select


def _mask_function(rows: list) -> Callable[[dict], int]:
    """One generated function per fact type: the bits of the patterns a fact may match. The source is
    built only from the compiled definitions' keys and literals, each written with ``repr``."""
    lines = ["def mask(d):", "    g = d.get", "    m = 0"]
    for bit, exprs in rows:
        test = " and ".join(exprs) if exprs else "True"
        lines.append(f"    if {test}:")
        lines.append(f"        m |= {1 << bit}")
    lines.append("    return m")
    scope: dict = {}
    exec(compile("\n".join(lines), "<scrubber.engine.prefilter>", "exec"), {"abs": abs}, scope)  # noqa: S102
    return scope["mask"]
