"""Words for messages to authors, shared by every stage that names something a user misspelt.

Why here: ``model`` is the lowest stage, so the rule parser, payer-profile checks and field
modules can all say "did you mean" the same way without one reaching up into another.
"""
from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """`` (did you mean 'X'?)`` for the closest of ``choices``, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
