"""Output formats: one module per format, each ``render(result, out, **opts)`` of one RunResult.

Renderers never re-derive findings; they present what the RunResult holds. ``render`` applies
``--redact`` (``redact=True``) before dispatching, so masking is the same in every format.
Options every renderer accepts (and may ignore): ``color`` (text: None = only on a terminal),
``fail_on`` (junit: which severities fail a test case), ``title`` (html), ``digest`` (html: the
run's ``HtmlDigest``, gathered as the results were made; a redacted report makes its own from the
redacted results).
"""
from __future__ import annotations

import importlib

from scrubber.model.result import OUTPUT_FORMATS

_MODULE_OF = {"json": "json_report", "csv": "csv_report"}  # the others' modules have the format's name
FORMATS = {name: "scrubber.report." + _MODULE_OF.get(name, name) for name in OUTPUT_FORMATS}


def render(result, fmt: str, out, redact: bool = False, **opts) -> None:
    """Write ``result`` to the text stream ``out`` in format ``fmt`` (a key of FORMATS)."""
    if redact:
        from scrubber.report.redact import redact_result

        result = redact_result(result)
        opts.pop("digest", None)  # gathered from the results before they were masked
    module = importlib.import_module(FORMATS[fmt])
    module.render(result, out, **opts)
