"""One JSON Schema error in an author's words, for every file claimscrub validates.

Why one module: payer profiles (``config.schema_errors``), rule files (``rulespec.parse``) and
JSON claims (``readers.json_claims``) used to word the same jsonschema error three ways
("should be" / "must be", "is required" / "is missing"). Each caller still finds the location
its users need (a YAML ``file:line``, a JSON pointer) and keeps the few messages only its
domain can word (a rule's operator, a profile's rule-id key); the words for the error itself
come from here. It lives in ``scrubber.model`` so a reader can use it without importing the
configuration or the rule language.

``subject`` is what the author calls the place (``params.timely_filing.months``, ``title``);
when the location says it already (a JSON pointer before the message), it is left empty and
the message starts with the verb's object (``must be text, not a number``).
"""
from __future__ import annotations

from typing import Any, Callable

from scrubber.model.words import did_you_mean

TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "null": "nothing",
}


def kind(value: Any) -> str:
    """What the author wrote, in words: ``the text 'x'``, ``a number``, ``a list`` ..."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def short(value: Any) -> str:
    """``repr`` cut to 40 characters (a claim value quoted in a message)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def unknown_keys(err) -> list[str]:
    """The keys an ``additionalProperties`` error found, in the order the author wrote them."""
    allowed = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
    return [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []


def _lead(subject: str) -> str:
    return f"{subject} " if subject else ""


def schema_message(err, subject: str = "", suggest: Callable[[Any, Any], str] = did_you_mean) -> str:
    """The problem ``err`` (a ``jsonschema.ValidationError``) states, without its location.

    ``suggest(word, choices)``: the " (did you mean ...?)" hint for a wrong choice (rule files
    add the operator spellings of other languages).
    """
    v, value = err.validator, err.instance
    title = err.schema.get("title") if isinstance(err.schema, dict) else None
    if title == "number" and v in ("pattern", "type"):
        return f"{short(value)} is not a number"
    if title == "date" and v in ("pattern", "format", "type"):
        return f"{short(value)} is not a valid date (YYYY-MM-DD)"
    if v == "additionalProperties":
        extra = unknown_keys(err)
        return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(repr(e) for e in extra)}"
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"{subject} is missing the required key '{missing}'" if subject else f"the required key '{missing}' is missing"
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(TYPE_WORDS.get(t, t) for t in want)
        msg = f"{_lead(subject)}must be {words}, not {kind(value)}"
        if words == "text" and isinstance(value, (bool, int, float)):
            msg += f"; put it in quotes: '{value}'"
        return msg
    if v == "enum":
        choices = err.validator_value
        if not subject:  # after a JSON pointer: the value is the subject
            return f"{short(value)} is not one of {', '.join(map(str, choices))}{suggest(value, choices)}"
        return f"{subject} is {kind(value)}{suggest(value, choices)}; write one of: {', '.join(map(str, choices))}"
    if v == "pattern":
        return f"{_lead(subject)}is {kind(value)}, which does not have the expected form ({err.validator_value})"
    if v == "minLength":
        return f"{_lead(subject)}must not be empty"
    if v == "minItems":
        return f"{_lead(subject)}needs at least one item"
    if v == "minimum":
        return f"{_lead(subject)}must be at least {err.validator_value}, not {value}"
    if v == "oneOf":
        desc = err.schema.get("description") if isinstance(err.schema, dict) else None
        desc = desc or "one of the documented forms"
        return f"{_lead(subject)}is {kind(value)}; expected {desc[0].lower() + desc[1:]}"
    if v == "propertyNames":
        return f"{_lead(subject)}has a key of the wrong form: {err.message}"
    return f"{subject}: {err.message}" if subject else err.message

