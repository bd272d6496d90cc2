"""Required-element checks compiled once per segment id, so the common case costs one call."""
from __future__ import annotations

from typing import Callable

from scrubber.readers.x12 import layout


def required_check(indexes: tuple[int, ...]) -> Callable[[list[str]], bool]:
    """A predicate: are all these elements (1-based) of a split segment present and non-empty?"""
    top = max(indexes)

    def all_present(e: list[str]) -> bool:
        if len(e) <= top:
            return False
        for i in indexes:
            if e[i] == "":
                return False
        return True

    return all_present


REQUIRED_OK: dict[str, Callable[[list[str]], bool]] = {sid: required_check(idx) for sid, idx in layout.REQUIRED.items()}
