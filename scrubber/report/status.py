"""The one claim-status vocabulary every format shows, and counts that read as English.

A claim's status is one of ``clean`` (no error finding: it goes out), ``flagged`` (at least one
error finding: held) or ``unreadable`` (it could not be built). ``clean`` does not mean "no
findings": a clean claim may carry warnings or info, and every human format says so beside the
word ("clean, 1 warning"), so a warning is never shown next to a bare "clean". The JSON
``status`` field holds the bare word (the contract); the README documents the set.
"""
from __future__ import annotations

from scrubber.model.result import STATUSES  # noqa: F401  (re-exported: the vocabulary)


def plural(n: int, word: str) -> str:
    """``1 finding``, ``2 findings``, ``1,200 claims``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def status_label(c) -> str:
    """The claim's status word, and for a clean claim with findings what it carries ("clean, 1 warning")."""
    if c.status != "clean" or not c.findings:
        return c.status
    counts: dict[str, int] = {}
    for f in c.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return "clean, " + ", ".join(plural(counts[sev], sev) for sev in ("warning", "info") if sev in counts)
