"""The segment text behind each finding, for the HTML drill-down (``ClaimResult.segments``).

The pipeline calls ``cited_segments(record, findings)`` when it builds a ClaimResult. Segment
numbers of the claim's own segments are known from the CLM's number (``claim.source.segment``)
and their order in ``RawClaim.claim``; a finding pointing outside the claim loop (a subscriber
or billing-provider segment shared with other claims) gets no text, only its location. Only
cited segments are kept, so memory grows with findings, not with claims.
"""
from __future__ import annotations

from typing import Iterable

from scrubber.model import ClaimRecord, Finding


def cited_segments(record: ClaimRecord, findings: Iterable[Finding]) -> tuple[tuple[int, str], ...]:
    claim = record.claim
    if claim is None or claim.raw is None or claim.source.segment is None:
        return ()
    wanted = {f.location_segment for f in findings if f.location_segment}
    if not wanted:
        return ()
    first, texts = claim.source.segment, claim.raw.claim
    # in file order, as the claim's segments come; each cited one picked by its place, not searched for
    return tuple((n, texts[n - first]) for n in sorted(wanted) if 0 <= n - first < len(texts))
