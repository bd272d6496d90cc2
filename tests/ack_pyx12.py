"""pyx12 (a test dependency) as the judge of generated acknowledgements, and its own 999.

pyx12's ``x12valid`` script exits 1 even when it prints "OK"; these helpers call its Python
API and read its result and its logged errors instead of any exit code.
"""
from __future__ import annotations

import io
import logging

import pyx12.params
import pyx12.x12n_document


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _run(src, fd_997):
    logger = logging.getLogger("pyx12")
    handler = _Errors()
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), src, fd_997, None)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    return ok, handler.messages


def validate(path) -> list[str]:
    """pyx12's errors for the X12 file at ``path`` (empty when it says the file is valid)."""
    ok, errors = _run(str(path), None)
    if not ok and not errors:
        errors = ["pyx12 reported the file invalid without a message"]
    return errors


def own_999(path) -> str:
    """pyx12's own 999 for the X12 file at ``path``."""
    out = io.StringIO()
    _run(str(path), out)
    return out.getvalue()


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def ik_entries(text: str) -> list[tuple]:
    """(IK301, IK302, IK304, ((IK401, IK403), ...)) per IK3 loop of a 999, in order."""
    out = []
    for els in segments(text):
        if els[0] == "IK3":
            out.append([els[1], int(els[2]), els[4] if len(els) > 4 else "", []])
        elif els[0] == "IK4" and out:
            out[-1][3].append((els[1], els[3]))
    return [(a, b, c, tuple(d)) for a, b, c, d in out]
