"""Exit codes, as DESIGN.md and the README document them. Scripts depend on these: never renumber.

A pipeline gates on them, so a run that could not read what it was given must never look like a
clean batch: a mistyped path, a file that is not an 837 or JSON claim file, or a directory with
no claim files exits INPUT (3), whatever ``--fail-on`` says, and ``--clean-out`` is not written.
"""
from __future__ import annotations

OK = 0  # nothing at or above --fail-on
FINDINGS = 1  # findings at or above --fail-on, or an unreadable claim
USAGE = 2  # usage, configuration, rule-file or reference-data error
INPUT = 3  # an input could not be read: missing or unreadable file, not claims, empty directory, no claims
INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, what a shell reports): no report; the ledger row INCOMPLETE

# One line per code, for --help and the README (tests check both say the same).
HELP = ("Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it (or an unreadable "
        "claim); 2 usage, configuration, rule-file or reference-data error; 3 an input could not be "
        "read (missing or unreadable file, not an 837 / JSON claim file, a directory with no claim "
        "files, no claims at all); 130 stopped by Ctrl-C (no report written; the ledger lists the run as "
        "INCOMPLETE).")


def input_problems(result) -> list[str]:
    """Why ``result`` (a RunResult) did not read its inputs, one located line each; [] when it did.

    A file-level read error is one problem per file. A run that read no claim at all is a
    problem too (unless an audit filter excluded the claims it read), because a gate must not
    pass an input it never looked at.
    """
    problems = [f"{e.path or '-'}: {e.message}" for e in result.errors if e.kind == "unreadable-file"]
    if not problems and len(result.claims) == 0 and not result.run.extra.get("claims_excluded_by_filters"):
        problems.append("no claims were read from the input")
    return problems
