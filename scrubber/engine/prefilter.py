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


def build_selector(definitions: dict, rule_keys: dict) -> Optional[Callable[[list], list]]:
    """``select(facts) -> facts`` for one ruleset: the facts of one claim it can use (a new list; the
    fact dicts are not copied), or None when the definitions are not all the plain form (no filter)."""
    bits: dict = {}  # (fact type, tests) -> bit
    rule_masks = set()
    for name, d in definitions.items():
        if name not in rule_keys:
            continue  # sinks and the warm-up rule never fire
        if not isinstance(d, dict) or set(d) != {"all"} or not isinstance(d["all"], list) or not d["all"]:
            return None
        mask = 0
        for p in d["all"]:
            if not isinstance(p, dict) or len(p) != 1:
                return None
            got = _pattern(next(iter(p.values())))
            if got is None:
                return None
            mask |= 1 << bits.setdefault(got, len(bits))
        rule_masks.add(mask)
    if not rule_masks:
        return lambda facts: []
    by_type: dict = {}
    for (ftype, exprs), bit in bits.items():
        by_type.setdefault(ftype, []).append((bit, exprs))
    masks = {ftype: _mask_function(rows) for ftype, rows in by_type.items()}
    rules = tuple(sorted(rule_masks))

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
        for rm in rules:
            if seen & rm == rm:  # every pattern of the rule has a fact that may match it
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
