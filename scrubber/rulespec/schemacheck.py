"""Does a document conform to one of the packaged JSON Schemas? A quick yes, before jsonschema is needed.

Every run validates its ~60 rule files and the payer profiles at load. Importing jsonschema (with
``referencing``, ``attrs`` and the metaschemas) and running its validator was about a tenth of a
run's start-up, to learn what is true nearly every time: the files conform. ``conforms`` answers
that question for the keywords our schemas use, with jsonschema's Draft 2020-12 meaning (``format``
not asserted, as ``Draft202012Validator`` does by default). When it says False the caller runs
jsonschema as before, for the errors and their wording; so a yes must never be given where
jsonschema would say no. Anything this module does not know (another keyword, a remote ``$ref``, an
``enum`` of numbers or lists) raises ``Unsupported`` and the caller asks jsonschema.
``tests/test_schemacheck.py`` holds it to jsonschema's answer on every shipped and test file.
"""
from __future__ import annotations

import numbers
import re
from functools import lru_cache
from typing import Any

# keywords that never make a document invalid (annotations, and the container of $ref targets)
_ANNOTATIONS = frozenset({"$id", "$schema", "$comment", "$defs", "title", "description", "format", "examples",
                          "default"})
_ENUM_SCALARS = (str, bool, int, type(None))


class Unsupported(Exception):
    """The schema uses something ``conforms`` does not implement: ask jsonschema."""


def _is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "null":
        return instance is None
    if name == "boolean":
        return isinstance(instance, bool)
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or isinstance(instance, float) and instance.is_integer()
    if name == "number":
        return isinstance(instance, numbers.Number)
    raise Unsupported(f"type {name!r}")


@lru_cache(maxsize=None)
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


def _enum_has(choices: list, instance: Any) -> bool:
    if all(isinstance(c, str) for c in choices):  # jsonschema compares with a string by ==, whatever the other is
        return any(c == instance for c in choices)
    if not isinstance(instance, _ENUM_SCALARS) or not all(isinstance(c, _ENUM_SCALARS) for c in choices):
        raise Unsupported("enum beyond strings, integers, booleans and null")
    return any(type(c) is type(instance) and c == instance for c in choices)


def conforms(instance: Any, schema: Any, root: dict | None = None) -> bool:
    """Whether jsonschema's Draft 2020-12 validator finds no error in ``instance`` (see the module)."""
    if schema is True:
        return True
    if schema is False:
        return False
    root = schema if root is None else root
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if not _KEYWORDS.get(key, _unsupported)(instance, value, schema, root):
            return False
    return True


def _unsupported(instance, value, schema, root) -> bool:
    raise Unsupported(f"a keyword of {sorted(schema)}")


def _ref(instance, ref, schema, root) -> bool:
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or "/" in ref[len("#/$defs/"):]:
        raise Unsupported(f"$ref {ref!r}")
    return conforms(instance, root["$defs"][ref[len("#/$defs/"):]], root)


def _properties(instance, properties, schema, root) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(conforms(instance[k], sub, root) for k, sub in properties.items() if k in instance)


def _additional(instance, extra_schema, schema, root) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        raise Unsupported("patternProperties")
    known = schema.get("properties", {})
    return all(conforms(instance[k], extra_schema, root) for k in instance if k not in known)


def _items(instance, items, schema, root) -> bool:
    if "prefixItems" in schema:
        raise Unsupported("prefixItems")
    return not isinstance(instance, list) or all(conforms(x, items, root) for x in instance)


def _type(instance, types, schema, root) -> bool:
    return any(_is_type(instance, t) for t in (types if isinstance(types, list) else [types]))


_KEYWORDS = {
    "$ref": _ref,
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "required": lambda i, names, s, r: not isinstance(i, dict) or all(n in i for n in names),
    "propertyNames": lambda i, sub, s, r: not isinstance(i, dict) or all(conforms(k, sub, r) for k in i),
    "enum": lambda i, choices, s, r: _enum_has(choices, i),
    "pattern": lambda i, p, s, r: not isinstance(i, str) or _pattern(p).search(i) is not None,
    "minLength": lambda i, n, s, r: not isinstance(i, str) or len(i) >= n,
    "minItems": lambda i, n, s, r: not isinstance(i, list) or len(i) >= n,
    "maxItems": lambda i, n, s, r: not isinstance(i, list) or len(i) <= n,
    "minimum": lambda i, n, s, r: not _is_type(i, "number") or i >= n,
    "oneOf": lambda i, subs, s, r: sum(conforms(i, sub, r) for sub in subs) == 1,
    "not": lambda i, sub, s, r: not conforms(i, sub, r),
}


def quick_valid(instance: Any, schema: dict) -> bool:
    """True only when ``instance`` surely conforms to ``schema``; False: ask jsonschema."""
    try:
        return conforms(instance, schema)
    except (Unsupported, RecursionError):
        return False
