"""Text that XML and HTML serializers accept.

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
