"""JSON Schema validation with errors in the author's language: ``file:line: what; what to write``.

jsonschema's own messages ("Additional properties are not allowed ('x' was
unexpected)", long ``oneOf`` dumps) are written for programmers. Profile authors
get one line per problem naming the key, its line and the allowed values.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from scrubber.config.yamlload import LineDict, line_at

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "null": "nothing",
}


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    text = resources.files("scrubber").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def _dotted(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _translate(err: jsonschema.ValidationError, data: Any, name: str) -> list[str]:
    path = list(err.absolute_path)
    where = _dotted(path)
    line = line_at(data, path)
    v = err.validator
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        out = []
        for key in err.instance:
            if key not in err.schema.get("properties", {}):
                key_line = err.instance.line_of(key) if isinstance(err.instance, LineDict) else line
                at = f"'{key}'" if not path else f"'{key}' in {where}"
                hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
                out.append(f"{name}:{key_line}: unknown key {at}{hint}")
        return out
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [f"{name}:{line}: {where} is missing the required key '{missing}'"]
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in want)
        return [f"{name}:{line}: {where} should be {words}, not {_kind(err.instance)}"]
    if v == "enum":
        allowed = ", ".join(str(x) for x in err.validator_value)
        return [f"{name}:{line}: {where} is {_kind(err.instance)}; write one of: {allowed}"]
    if "propertyNames" in err.schema_path:
        key = err.instance
        parent = data
        for step in path:
            parent = parent[step]
        key_line = parent.line_of(key) if isinstance(parent, LineDict) else line
        return [f"{name}:{key_line}: {where} key '{key}' is not a rule id; write the rule's id (upper case, e.g. PAYER-TF-001)"]
    if v == "pattern":
        return [f"{name}:{line}: {where} is {_kind(err.instance)}, which does not have the expected form ({err.validator_value})"]
    if v == "oneOf" and err.context:
        # Explain the failure inside the branch that has the instance's own shape.
        deeper = [e for e in err.context if len(e.absolute_path) > len(path)]
        if deeper:
            return _translate(max(deeper, key=lambda e: len(e.absolute_path)), data, name)
    if v == "oneOf":
        desc = err.schema.get("description", "one of the documented forms")
        return [f"{name}:{line}: {where} is {_kind(err.instance)}; expected {desc[0].lower() + desc[1:]}"]
    if v in ("minimum", "minLength", "minItems"):
        return [f"{name}:{line}: {where} is too small or empty ({err.message})"]
    if v == "propertyNames":
        return [f"{name}:{line}: {where} has a key of the wrong form: {err.message}"]
    return [f"{name}:{line}: {where}: {err.message}"]


def schema_problems(data: Any, schema_name: str, name: str, sub: str | None = None) -> list[str]:
    """Validate ``data`` against a packaged schema (or its ``$defs/<sub>``); return readable problems."""
    schema = load_schema(schema_name)
    if sub is not None:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{sub}"}
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
