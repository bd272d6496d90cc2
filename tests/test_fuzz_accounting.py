"""The end-of-file accounting of the X12 reader (issue 19): every CLM segment start in a file's bytes
is a claim of the output, read or unreadable, whatever the tokenizer made of the damaged text.

The double faults below are the shapes bench/fuzz.py --batch still lost claims on (docs/reliability.md):
a file cut short or with its ISA deleted / moved, joined to a file written with other delimiters
whose ISA is not at its start either. The files are the made-up two-claim fixture.
"""
from __future__ import annotations

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.readers.x12 import read_x12
from scrubber.readers.x12.segments import SegmentStream

FIX = ROOT / "fixtures" / "x12"
TWO = [s for s in (FIX / "837p-two-claims.837").read_text().replace("\n", "").split("~") if s]


def tilde(segs: list[str]) -> bytes:
    return ("~\n".join(segs) + "~\n").encode()


def other(segs: list[str]) -> bytes:
    """The same segments written with 0x1E as terminator and '|' as element separator, claims renamed."""
    return ("\x1e\n".join(s.replace("MADE-UP-P", "MADE-UP-Q").replace("*", "|") for s in segs) + "\x1e\n").encode()


def read(data: bytes, chunk: int = 1 << 16) -> list:
    chunks = (data[i:i + chunk] for i in range(0, len(data), chunk))
    return list(read_x12(chunks, "made-up.837"))


def claims(recs) -> list[ClaimRecord]:
    return [r for r in recs if isinstance(r, ClaimRecord)]


def without(segs: list[str], sid: str) -> list[str]:
    return [s for s in segs if not s.startswith(sid + "*")]


def cut_after_clm(segs: list[str], k: int) -> list[str]:
    """``segs`` up to and with the k-th CLM, the CLM itself cut to its first elements (a file cut short)."""
    out, seen = [], 0
    for s in segs:
        if s.startswith("CLM*"):
            seen += 1
            if seen == k:
                out.append(s[:12])
                return out
        out.append(s)
    return out


def moved_isa(segs: list[str], to: int) -> list[str]:
    """``segs`` with the ISA moved to index ``to`` (after the GS and ST for ``to`` = 2)."""
    rest = without(segs, "ISA")
    return rest[:to] + [segs[0]] + rest[to:]


def cut_inside_clm_then_no_isa() -> bytes:
    """A file cut inside its second CLM (no terminator), then a file in other delimiters without its ISA."""
    return "~\n".join(cut_after_clm(TWO, 2)).encode() + b"\n" + other(without(TWO, "ISA"))


def cut_short_then_isa_moved() -> bytes:
    """A file cut short after its 25th segment (one CLM read, no IEA), then a file in other delimiters
    whose ISA was moved after its GS and ST."""
    return tilde(TWO[:25]) + other(moved_isa(TWO, 2))


@pytest.mark.parametrize("chunk", [1 << 16, 7, 1])
def test_a_file_cut_inside_a_claim_then_one_without_isa_in_other_delimiters_loses_no_claim(chunk):
    data = cut_inside_clm_then_no_isa()
    recs = read(data, chunk)
    out = claims(recs)
    assert len(out) == 4  # two CLM segments in each file; before the accounting the reader gave 2
    assert out[0].claim_id == "MADE-UP-P1"
    missing = [c for c in out if c.error is not None and "CLM segment found in the file's bytes" in c.error.message]
    assert len(missing) == 2 and all(c.error.kind == "unreadable-claim" and c.claim is None for c in missing)
    assert any(isinstance(e, RunError) and e.message.startswith("X12-CLM-COUNT: the file's bytes hold 4 CLM") for e in recs)


def test_a_file_cut_short_then_one_in_other_delimiters_with_its_isa_moved_loses_no_claim():
    recs = read(cut_short_then_isa_moved(), 5)
    out = claims(recs)
    assert len(out) == 3  # one CLM in the cut file, two in the next; before the accounting the reader gave 1
    assert out[0].claim_id == "MADE-UP-P1"
    # The moved ISA ends the cut file's unterminated last text (the GS and ST before it), so the next
    # interchange's claims are read with their own delimiters; before, they were listed as unreadable.
    assert [(c.claim_id, c.error) for c in out[1:]] == [("MADE-UP-Q1", None), ("MADE-UP-Q2", None)]


@pytest.mark.parametrize("chunk", [1 << 16, 4, 1])
def test_whole_files_get_no_accounting_records(chunk):
    data = tilde(TWO) + other(TWO)
    recs = read(data, chunk)
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2", "MADE-UP-Q1", "MADE-UP-Q2"]
    assert not any(isinstance(e, RunError) and "X12-CLM-COUNT" in e.message for e in recs)


def _count(data: bytes, chunk: int) -> int:
    stream = SegmentStream(data[i:i + chunk] for i in range(0, len(data), chunk))
    stream.count_rest()
    return stream.clm_bytes


@pytest.mark.parametrize("chunk", [1 << 16, 3, 1])
def test_the_byte_count_sees_segment_starts_not_values_and_each_once_across_chunk_edges(chunk):
    # Made-up text: two CLM segments, a CLM-like element value, a word holding CLM, a CLM cut at the end.
    data = b"CLM*A*1~\nNM1*IL*CLM*X~XCLM*2~\rCLM|B|2\x1eREF*CLMS*1~CLM\n"
    assert _count(data, chunk) == 3


def test_a_dask_partition_counts_its_own_bytes():
    """A partition (``first_segment``) is accounted for on its own bytes: its claims keep the whole
    file's segment numbers and the missing ones of a damaged partition are listed once, there."""
    whole = tilde(TWO)
    damaged = cut_inside_clm_then_no_isa()
    first = list(read_x12([whole], "made-up.837"))
    second = list(read_x12([damaged], "made-up.837", first_segment=len(TWO)))
    assert len(claims(first)) == 2 and len(claims(second)) == 4
    assert min(c.source.segment for c in claims(second)) > len(TWO)
