"""The JSON contract (DESIGN.md "the output contract"), schema in scrubber/schemas/run_result.schema.json.

Written claim by claim: the same bytes as ``json.dump(result.to_dict(), out, indent=2,
ensure_ascii=False)`` (a test compares the two), without building the whole document in memory
first (a run's results may be on disk: see ``scrubber.model.spool``).

Why a hand-written encoder: ``json.dumps`` with ``indent`` runs the standard library's pure-Python
generator encoder (the C one only writes compact JSON), about 2 s of a 20,000-claim run.
``_encode`` writes the same text for the types a result holds (dict, list, tuple, str, int, float,
bool, None) with one recursive call per container, and hands anything else to ``json.dumps``.
A scrub asking for JSON renders each claim's text where the claim is evaluated (``claim_text``,
kept by the spool: ``ClaimSpool.keep_json``); ``render`` then copies that text.
"""
from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import encode_basestring  # the C string escaper json.dumps(ensure_ascii=False) uses

_INF = float("inf")
CLAIM_SEP = ",\n    "  # before every claim's text in ``claim_text`` (the first one's comma is dropped)


def _float(v: float) -> str:
    if v != v:
        return "NaN"
    if v == _INF:
        return "Infinity"
    if v == -_INF:
        return "-Infinity"
    return float.__repr__(v)


def _encode(v, indent: str) -> str:
    """``v`` as json.dumps(indent=2, ensure_ascii=False) writes it, nested at ``indent`` (its first line unindented)."""
    t = type(v)
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _float(v)
    inner = indent + "  "
    if t is dict:
        if not v:
            return "{}"
        if not all(type(k) is str for k in v):
            return _fallback(v, indent)
        sep = ",\n" + inner
        return ("{\n" + inner + sep.join(encode_basestring(k) + ": " + _encode(x, inner) for k, x in v.items())
                + "\n" + indent + "}")
    if t is list or t is tuple:
        if not v:
            return "[]"
        sep = ",\n" + inner
        return "[\n" + inner + sep.join(_encode(x, inner) for x in v) + "\n" + indent + "]"
    return _fallback(v, indent)


def _fallback(v, indent: str) -> str:
    """Whatever the fast path does not know (subclasses, non-str keys): the standard encoder's own text."""
    text = json.dumps(v, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + indent) if indent else text


def _value(v, level: int) -> str:
    """``v`` as json.dump(indent=2) writes it at nesting ``level`` (its first line unindented)."""
    return _encode(v, "  " * level)


def claim_text(c) -> str:
    """One claim's entry in the "claims" array, preceded by ``CLAIM_SEP``.

    The ``envelope`` object (the last key, about half the entry's text) is the same for every
    claim of a transaction: its text is written once (``_envelope_text``) and put in place."""
    env = c.envelope
    if env is None:
        return CLAIM_SEP + _encode(c.to_dict(), "    ")
    body = _encode(c.to_dict(envelope=False), "    ")  # ends with "\n    }"
    return CLAIM_SEP + body[:-6] + _ENVELOPE_KEY + _envelope_text(env) + body[-6:]


_ENVELOPE_KEY = ",\n      \"envelope\": "


@lru_cache(maxsize=64)
def _envelope_text(env) -> str:
    """An X12Envelope's text at a claim's nesting (frozen and hashable: equal envelopes, equal text)."""
    return _encode(env.to_dict(), "      ")


def render(result, out, **opts) -> None:
    head = {"tool": {"name": "claimscrub", "version": result.tool_version},
            "run": result.run.to_dict(), "summary": result.summary()}
    out.write("{")
    for key, value in head.items():
        out.write(f"\n  {json.dumps(key)}: {_value(value, 1)},")
    out.write('\n  "claims": [')
    first = True
    kept = getattr(result.claims, "json_chunks", lambda _: None)(claim_text)
    if kept is not None:  # each claim's text, rendered where it was evaluated
        for piece in kept:
            if first and piece:
                piece, first = piece[1:], False  # the first claim's text starts with CLAIM_SEP's comma
            out.write(piece)
    else:
        for c in result.claims:
            out.write("\n    " if first else ",\n    ")
            out.write(_value(c.to_dict(), 2))
            first = False
    out.write("]" if first else "\n  ]")
    errors = [e.to_dict() for e in result.errors]
    out.write(f',\n  "errors": {_value(errors, 1)}')
    if getattr(result, "denials", None) is not None:
        out.write(f',\n  "denials": {_value(result.denials, 1)}')
    out.write("\n}\n")
