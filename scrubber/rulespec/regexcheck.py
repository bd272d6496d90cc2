"""Refuse rule regexes that can backtrack catastrophically, before any claim meets them.

Python's ``re`` backtracks: ``(a+)+$`` against 30 ``a``s and a ``b`` takes minutes, and a claim
value is hostile input. A rule author never needs a quantifier inside a quantifier (or an
alternation of overlapping branches under one) to match a code, so those shapes are refused at
lint time with the rule's file:line, the same way a pattern that does not compile is.
The check walks the parsed pattern (``re._parser``, the stdlib's own parser).
"""
from __future__ import annotations

from typing import Optional

try:
    import re._parser as _sre  # Python 3.11+
    from re._constants import BRANCH, MAX_REPEAT, MAXREPEAT, MIN_REPEAT, SUBPATTERN
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre  # type: ignore[no-redef]
    from sre_constants import BRANCH, MAX_REPEAT, MAXREPEAT, MIN_REPEAT, SUBPATTERN  # type: ignore[no-redef]

_REPEATS = (MAX_REPEAT, MIN_REPEAT)


def _has_repeat(items) -> bool:
    for op, av in items:
        if op in _REPEATS and (av[1] == MAXREPEAT or av[1] > 1):
            return True
        if op == SUBPATTERN and _has_repeat(av[-1]):
            return True
        if op == BRANCH and any(_has_repeat(b) for b in av[1]):
            return True
    return False


def _walk(items, under_repeat: bool) -> Optional[str]:
    for op, av in items:
        if op in _REPEATS:
            lo, hi, sub = av
            unbounded = hi == MAXREPEAT or hi > 16
            if unbounded and _has_repeat(sub):
                return "a repeated group that itself repeats (like (a+)+) can take exponential time"
            if unbounded and any(o == BRANCH for o, _ in sub) or (unbounded and any(
                    o == SUBPATTERN and any(x == BRANCH for x, _ in a[-1]) for o, a in sub)):
                return "a repeated alternation (like (a|ab)+) can take exponential time"
            found = _walk(sub, under_repeat or unbounded)
            if found:
                return found
        elif op == SUBPATTERN:
            found = _walk(av[-1], under_repeat)
            if found:
                return found
        elif op == BRANCH:
            for b in av[1]:
                found = _walk(b, under_repeat)
                if found:
                    return found
    return None


def backtracking_risk(pattern: str) -> Optional[str]:
    """Why ``pattern`` can backtrack catastrophically, or None (it compiles: checked before)."""
    return _walk(_sre.parse(pattern), False)
