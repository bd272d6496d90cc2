"""The JSON contract (DESIGN.md "the output contract"), schema in scrubber/schemas/run_result.schema.json.

Written claim by claim: the same bytes as ``json.dump(result.to_dict(), out, indent=2,
ensure_ascii=False)`` (a test compares the two), without building the whole document in memory
first (a run's results may be on disk: see ``scrubber.model.spool``).
"""
from __future__ import annotations

import json


def _value(v, level: int) -> str:
    """``v`` as json.dump(indent=2) writes it at nesting ``level`` (its first line unindented)."""
    text = json.dumps(v, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def render(result, out, **opts) -> None:
    head = {"tool": {"name": "claimscrub", "version": result.tool_version},
            "run": result.run.to_dict(), "summary": result.summary()}
    out.write("{")
    for key, value in head.items():
        out.write(f"\n  {json.dumps(key)}: {_value(value, 1)},")
    out.write('\n  "claims": [')
    first = True
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
