"""Limits a hostile X12 file cannot pass, and where each one comes from.

The implementation guides' own limits are used where they exist: each element's maximum length
(the X12 005010 data element dictionary, ``maxlen.py``) and the 2400 loop repeat (``claim.py``).
The X12 standard sets no useful bound on a segment's size, a transaction's segments or a file's
claims (SE01 may count up to 10 digits), so those three are claimscrub's own: settings with a
documented default, read from the environment (the configuration order's environment layer):

=====================================  ==========  ===========================================
environment variable                   default     what passing it does
=====================================  ==========  ===========================================
CLAIMSCRUB_X12_MAX_SEGMENT_CHARS       65,536      the segment is cut to this many characters
                                                   (the rest skipped, never held in memory),
                                                   reported with its segment number and offset
CLAIMSCRUB_X12_MAX_TRANSACTION_SEGS    10,000,000  the transaction's later segments are not
                                                   read up to its SE; each CLM among them is an
                                                   unreadable claim
CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE     1,000,000   each later claim of the file is an
                                                   unreadable claim, with the reason
=====================================  ==========  ===========================================

Why these defaults: the longest 837 segment the guide allows is about 2,000 characters (its
elements at their maximum lengths, e.g. HI with 12 composites), so 64 K is far above any real
one; 5,000 claims per transaction is the guides' recommendation and 10 M segments is 2,000
segments for each of them; a million claims is more than a clearinghouse puts in one file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Limits:
    max_segment_chars: int = 65_536
    max_transaction_segments: int = 10_000_000
    max_claims_per_file: int = 1_000_000


DEFAULT = Limits()
# field -> (environment variable, smallest value that still reads a normal 837)
ENVIRONMENT = {
    "max_segment_chars": ("CLAIMSCRUB_X12_MAX_SEGMENT_CHARS", 1024),
    "max_transaction_segments": ("CLAIMSCRUB_X12_MAX_TRANSACTION_SEGS", 100),
    "max_claims_per_file": ("CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE", 1),
}


def from_environment(env: Optional[Mapping[str, str]] = None) -> tuple[Limits, list[str]]:
    """The limits the environment sets, and one message per value that is not usable (its
    default is kept: a typo must not lift a limit, nor stop a run)."""
    env = os.environ if env is None else env
    values: dict[str, int] = {}
    problems: list[str] = []
    for name, (var, least) in ENVIRONMENT.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        text = raw.strip().replace("_", "").replace(",", "")
        if not (text.isascii() and text.isdigit()) or int(text) < least:
            problems.append(f"{var}={raw[:40]!r} is not a whole number of at least {least}; "
                            f"the default {getattr(DEFAULT, name):,} is used")
            continue
        values[name] = int(text)
    return Limits(**values), problems
