"""JSON Schema validation with errors in the author's language: ``file:line: what; what to write``.

jsonschema's own messages ("Additional properties are not allowed ('x' was
unexpected)", long ``oneOf`` dumps) are written for programmers. Profile authors
get one line per problem naming the key, its line and the allowed values. The words are
``scrubber.model.schema_words`` (shared with rule files and JSON claims); the lines are found here.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from scrubber.config.yamlload import LineDict, line_at
from scrubber.rulespec.schemacheck import quick_valid
from scrubber.model.schema_words import schema_message, unknown_keys

if TYPE_CHECKING:
    import jsonschema


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    text = resources.files("scrubber").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def _dotted(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


def _translate(err: jsonschema.ValidationError, data: Any, name: str) -> list[str]:
    path = list(err.absolute_path)
    where = _dotted(path)
    line = line_at(data, path)
    v = err.validator
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        out = []
        for key in unknown_keys(err):  # one line per key, at the key's own line
            key_line = err.instance.line_of(key) if isinstance(err.instance, LineDict) else line
            at = f"'{key}'" if not path else f"'{key}' in {where}"
            hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
            out.append(f"{name}:{key_line}: unknown key {at}{hint}")
        return out
    if "propertyNames" in err.schema_path:
        key = err.instance
        parent = data
        for step in path:
            parent = parent[step]
        key_line = parent.line_of(key) if isinstance(parent, LineDict) else line
        return [f"{name}:{key_line}: {where} key '{key}' is not a rule id; write the rule's id (upper case, e.g. PAYER-TF-001)"]
    if v == "oneOf" and err.context:
        # Explain the failure inside the branch that has the instance's own shape.
        deeper = [e for e in err.context if len(e.absolute_path) > len(path)]
        if deeper:
            return _translate(max(deeper, key=lambda e: len(e.absolute_path)), data, name)
    return [f"{name}:{line}: {schema_message(err, where)}"]


def schema_problems(data: Any, schema_name: str, name: str, sub: str | None = None) -> list[str]:
    """Validate ``data`` against a packaged schema (or its ``$defs/<sub>``); return readable problems."""
    schema = load_schema(schema_name)
    if sub is not None:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{sub}"}
    if quick_valid(data, schema):  # nearly every profile: no jsonschema import, no error walk
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (line_at(data, list(e.absolute_path)), str(e.message)))
    problems: list[str] = []
    for err in errors:
        for p in _translate(err, data, name):
            if p not in problems:
                problems.append(p)
    return sorted(problems, key=_line_number)


def _line_number(problem: str) -> int:
    head = problem.split(": ", 1)[0]
    tail = head.rsplit(":", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0
