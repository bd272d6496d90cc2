"""Required-element checks compiled once per segment id, so the common case costs one call."""
from __future__ import annotations

from typing import Callable

from scrubber.readers.x12 import layout


def required_check(indexes: tuple[int, ...]) -> Callable[[list[str]], bool]:
    """A predicate: are all these elements (1-based) of a split segment present and non-empty?"""
    top = max(indexes)
    src = f"lambda e: len(e) > {top} and " + " and ".join(f"e[{i}] != ''" for i in indexes)
    return eval(src)  # noqa: S307 - built from the integer indexes in layout.REQUIRED


REQUIRED_OK: dict[str, Callable[[list[str]], bool]] = {sid: required_check(idx) for sid, idx in layout.REQUIRED.items()}
