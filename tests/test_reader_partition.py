"""Part of an X12 file read on its own (a partition starting at an interchange's ISA) with
``read_x12(..., first_segment=N)``: its claims carry the segment numbers of the whole file.

Why: a large file split into partitions at interchange boundaries must report every location
(claim source, field locs, findings, run errors) as a user finds it in the file itself, not
counted from the partition's first byte. Inputs are the bundled MADE-UP fixtures, joined.
"""
from __future__ import annotations

from conftest import ROOT
from scrubber.model import ClaimRecord
from scrubber.readers.x12 import read_x12
from scrubber.readers.x12.segments import SegmentStream
from test_reader_compiled import record_dump

FIX = ROOT / "fixtures" / "x12"


def _records(data: bytes, path: str, **kw) -> list[str]:
    return [record_dump(r) for r in read_x12([data[i:i + 4096] for i in range(0, len(data), 4096)], path, **kw)]


def _segment_count(data: bytes) -> int:
    stream = SegmentStream([data])
    for _ in stream:
        pass
    return stream.count


def test_a_partition_read_from_its_interchange_keeps_the_whole_file_segment_numbers():
    # Second part: a broken 837P (findings with locations) and an 837I, each its own interchange.
    first = (FIX / "837p-two-claims.837").read_bytes()
    rest = (FIX / "837p-broken.837").read_bytes() + (FIX / "837i-inpatient.837").read_bytes()
    path = "made-up-joined.837"
    whole = _records(first + rest, path)
    head = _records(first, path)
    part = _records(rest, path, first_segment=_segment_count(first))
    assert len(head) >= 2 and len(part) >= 3
    assert head + part == whole
    # Not vacuous: numbered from the partition's own start, the same claims sit elsewhere.
    assert _records(rest, path) != whole[len(head):]


def test_segment_numbers_start_after_first_segment():
    data = (FIX / "837p-two-claims.837").read_bytes()
    claims = [r for r in read_x12([data], "made-up.837", first_segment=1000) if isinstance(r, ClaimRecord)]
    plain = [r for r in read_x12([data], "made-up.837") if isinstance(r, ClaimRecord)]
    assert [c.source.segment for c in claims] == [c.source.segment + 1000 for c in plain]
    assert [c.claim.locs["total_charge"].segment for c in claims] == [c.claim.locs["total_charge"].segment + 1000 for c in plain]
