"""Required-element checks: the common case (everything there) costs one C call in the compiled reader."""
from __future__ import annotations


def all_present(e: list[str], indexes: tuple[int, ...]) -> bool:
    """Are all these elements (1-based indexes, e.g. ``layout.REQUIRED[sid]``) of a split segment
    present and non-empty?"""
    n = len(e)
    for i in indexes:
        if i >= n or e[i] == "":
            return False
    return True
