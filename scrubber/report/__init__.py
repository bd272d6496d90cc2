"""Output formats: one module per format, each ``render(result, out, **opts)`` of one RunResult.

Renderers never re-derive findings; they present what the RunResult holds.
"""
from __future__ import annotations

import importlib

FORMATS = {
    "text": "scrubber.report.text",
    "json": "scrubber.report.json_report",
}


def render(result, fmt: str, out, **opts) -> None:
    module = importlib.import_module(FORMATS[fmt])
    module.render(result, out, **opts)
