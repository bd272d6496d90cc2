"""Payer-profile YAML through the project's one line-keeping loader (``scrubber.rulespec.yamlload``).

Payer-rule authors edit profiles by hand; an error that says only "invalid" sends them
hunting, so every mapping and list remembers its lines and a schema error on
``params.timely_filing.days`` is reported as ``payer_profiles/medicare.yaml:14``.

What differs from rule files, on purpose: dates stay the strings the author wrote (YAML's
implicit timestamp type would turn ``2024-10-01`` into a ``date`` and ``2024-10-1`` into a
string, which makes schema errors inconsistent; the profile code parses dates itself and says
which one is wrong), and problems are returned as a list (a key given twice is one problem
among the others) instead of stopping at the first.
"""
from __future__ import annotations

from typing import Any, Optional

from scrubber.rulespec.yamlload import LineDict, LineList, YamlProblem, line_at, parse_yaml

__all__ = ["LineDict", "LineList", "line_at", "load_yaml", "plain"]


def load_yaml(path: str, display: Optional[str] = None) -> tuple[Any, list[str]]:
    """Parse one YAML file (dates as text). Returns (data, problems); problems are ``file:line: message``."""
    name = display or path
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        return None, [f"{name}: cannot read: {exc.strerror or exc}"]
    except UnicodeDecodeError as exc:
        return None, [f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
    try:
        data, duplicates = parse_yaml(text, name, dates_as_text=True)
    except YamlProblem as exc:
        return None, [f"{name}:{exc.line}: YAML syntax error: {exc.what}"]
    return data, [f"{name}:{line}: key '{key}' appears twice; keep one" for key, line in duplicates]


def plain(value: Any) -> Any:
    """The same data as built-in dicts and lists (no line bookkeeping), for handing to other stages."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
