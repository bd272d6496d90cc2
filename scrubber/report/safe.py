"""Text that XML and HTML serializers accept, and text with no control characters.

lxml escapes ``< > & "`` by construction but refuses control characters that XML 1.0 cannot
hold (a NUL or a form feed in a claim is bad input, not a reason for a report to crash), so
every string that goes into an lxml tree passes through ``xml_text`` first.
"""
from __future__ import annotations

import re
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: Any) -> str:
    """``value`` as a string with characters XML 1.0 forbids replaced by U+FFFD."""
    if value is None:
        return ""
    return _NOT_XML.sub("\ufffd", str(value))


# C0 controls, DEL and C1 controls: an ESC from a claim value recolours a terminal, a CR or NUL
# breaks a CSV row or a log parser. ``keep`` names the few a caller's own layout may hold.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def no_controls(value: Any, keep: str = "") -> str:
    """``value`` as a string with every control character (C0, DEL, C1) replaced by U+FFFD,
    except those in ``keep``; the shared helper of the CSV, text and JUnit outputs."""
    if value is None:
        return ""
    text = str(value)
    if not keep:
        return _CONTROL.sub("\ufffd", text)
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else "\ufffd", text)
