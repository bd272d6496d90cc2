"""The field reference page of `claimscrub rules docs`: generated from the field vocabulary.

Every field a rule can test (scrubber.rulespec.fields for the base fields, the registry for the
derived fields and pair relations that the extension modules register), with its type and, for
a derived field, the first line of its docstring. Generated, so it never falls behind the code.
"""
from __future__ import annotations

import html

_TYPE_NOTES = {
    "list": "list: any_in / all_in / none_in / in_set test each item; eq / matches see the space-joined text",
    "date": "date: YYYY-MM-DD", "number": "number", "text": "text (quote codes: '0123')", "bool": "true / false",
    "any": "payer parameter (any type)",
}


def _first_line(doc) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ").strip()


def field_rows() -> list[tuple[str, str, str, str]]:
    """(fact type, field, type, what it is) for every testable field, by fact type then name."""
    from scrubber.rulespec.fields import BASE_FIELDS, FACT_TYPES
    from scrubber.fields.registry import DERIVED, RELATIONS, ensure_loaded

    ensure_loaded()
    rows = []
    for fact in FACT_TYPES:
        for name, ftype in sorted(BASE_FIELDS[fact].items()):
            what = "the fact's date of service" if name == "dos" else "from the claim"
            rows.append((fact, name, ftype, what))
        for (dfact, name), spec in sorted(DERIVED.items()):
            if dfact == fact:
                rows.append((fact, name, spec.type, "derived: " + (_first_line(spec.doc or spec.func.__doc__) or "")))
    rows.append(("claim", "param.<name>", "any", "a payer-profile parameter"))
    for name, rel in sorted(RELATIONS.items()):
        for attr, ftype in sorted(rel.fields.items()):
            rows.append((f"relation {name} ({rel.from_type} -> {rel.to_type})", attr, ftype,
                         _first_line(rel.doc or rel.func.__doc__)))
    return rows


def field_reference_html() -> str:
    esc = html.escape
    body = "".join(f"<tr><td>{esc(f)}</td><td><code>{esc(n)}</code></td><td>{esc(_TYPE_NOTES.get(t, t))}</td>"
                   f"<td>{esc(w)}</td></tr>" for f, n, t, w in field_rows())
    return ("<!doctype html><meta charset='utf-8'><title>claimscrub rule fields</title><h1>Fields a rule can test</h1>"
            "<p>Write a test as <code>{fact: line, field: modifiers, op: any_in, value: ['59']}</code>; "
            "a relation's fields are read through its alias (<code>with: {edit: {relation: ncci_ptp, ...}}</code>).</p>"
            "<table><tr><th>fact</th><th>field</th><th>type</th><th>what it is</th></tr>" + body + "</table>"
            "<p><a href='index.html'>all rules</a></p>\n")
