"""Files cut inside a claim and joined to the next, and CLM segments written with an element separator
above 0x7F: every claim of the input is read with its own id or listed as unreadable, once.

A segment never spans two input files, and an interchange's last segment ends at the next ISA even
when its terminator was cut off (before, the CLM swallowed the next interchange: its ISA, or the whole
interchange when that one has other delimiters, became the cut claim's CLM01). The files are the
made-up two-claim fixture; the 0xA7 separator files are made up here.
"""
from __future__ import annotations

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.readers import iter_records
from scrubber.readers.x12 import read_x12
from scrubber.readers.x12.segments import SegmentStream, isa_inside

FIX = ROOT / "fixtures" / "x12"
TWO = [s for s in (FIX / "837p-two-claims.837").read_text().replace("\n", "").split("~") if s]
CLM01_MAX = 38  # X12 005010 data element 1028 (claim submitter's identifier), the CLM01 maximum


def tilde(segs: list[str], rename: str = "") -> bytes:
    return ("~\n".join(s.replace("MADE-UP-P", rename or "MADE-UP-P") for s in segs) + "~\n").encode()


def other(segs: list[str]) -> bytes:
    """The same segments written with 0x1E as terminator and '|' as element separator, claims renamed."""
    return ("\x1e\n".join(s.replace("MADE-UP-P", "MADE-UP-Q").replace("*", "|") for s in segs) + "\x1e\n").encode()


def cut_inside_second_clm() -> bytes:
    """The file cut inside its second CLM segment, after ``CLM*MADE-UP-`` (no terminator, no SE/GE/IEA)."""
    at = next(i for i, s in enumerate(TWO) if s.startswith("CLM*MADE-UP-P2"))
    return ("~\n".join(TWO[:at] + [TWO[at][:12]])).encode()


def read(data: bytes, chunk: int) -> list:
    return list(read_x12((data[i:i + chunk] for i in range(0, len(data), chunk)), "made-up.837"))


def claims(recs) -> list[ClaimRecord]:
    return [r for r in recs if isinstance(r, ClaimRecord)]


def _check_cut_claim(recs, path: str) -> None:
    """The cut claim is reported once, with a located X12-TRUNCATED error at its CLM segment."""
    cut = [c for c in claims(recs) if c.source.path == path and c.claim_id == "MADE-UP-"]
    assert len(cut) == 1
    truncated = [e for e in recs if isinstance(e, RunError) and e.message.startswith("X12-TRUNCATED") and e.path == path]
    assert len(truncated) == 1 and truncated[0].segment == cut[0].source.segment


def test_two_files_on_one_command_line_the_first_cut_inside_a_claim(tmp_path):
    cut, whole = tmp_path / "a-cut.837", tmp_path / "b-whole.837"
    cut.write_bytes(cut_inside_second_clm())
    whole.write_bytes(tilde(TWO, "MADE-UP-Q"))
    recs = list(iter_records([str(cut), str(whole)]))
    assert [(c.source.path, c.claim_id) for c in claims(recs)] == [
        (str(cut), "MADE-UP-P1"), (str(cut), "MADE-UP-"), (str(whole), "MADE-UP-Q1"), (str(whole), "MADE-UP-Q2")]
    assert all(c.error is None and c.claim is not None for c in claims(recs) if c.source.path == str(whole))
    _check_cut_claim(recs, str(cut))


@pytest.mark.parametrize("chunk", [1 << 16, 7, 1])
@pytest.mark.parametrize("between", [b"", b"\n", b"\r\n  "])
@pytest.mark.parametrize("delimiters", ["same", "other"])
def test_an_interchange_cut_inside_a_claim_ends_at_the_next_isa(delimiters, between, chunk):
    nxt = tilde(TWO, "MADE-UP-Q") if delimiters == "same" else other(TWO)
    recs = read(cut_inside_second_clm() + between + nxt, chunk)
    out = claims(recs)
    # Before: "same" read the cut claim's id as "MADE-UP-ISA" (the next ISA was its CLM's tail);
    # "other" swallowed the whole next interchange into the CLM and listed its claims as unreadable.
    assert [c.claim_id for c in out] == ["MADE-UP-P1", "MADE-UP-", "MADE-UP-Q1", "MADE-UP-Q2"]
    assert all(len(c.claim_id) <= CLM01_MAX for c in out)
    assert all(c.error is None and c.claim is not None for c in out[2:])
    _check_cut_claim(recs, "made-up.837")
    assert not any(isinstance(e, RunError) and e.message.startswith(("X12-CLM-COUNT", "X12-IEA01")) for e in recs)


@pytest.mark.parametrize("chunk", [1 << 16, 7])
@pytest.mark.parametrize("cut", ["after a segment", "inside a CLM"])
def test_an_interchange_in_other_delimiters_then_one_in_the_first_ones_after_a_cut_file(cut, chunk):
    # The middle interchange holds no '~': the last one's ISA is inside its text as the first file's
    # tokenizer sees it. It is read with its own delimiters first (fuzz.py --batch 20 case 64 lost a
    # claim to reading up to the last ISA instead).
    first = tilde(TWO[:25]) if cut == "after a segment" else cut_inside_second_clm() + b"\n"
    recs = read(first + other(TWO) + tilde(TWO, "MADE-UP-R"), chunk)
    ids = [c.claim_id for c in claims(recs)]
    assert ids == ["MADE-UP-P1"] + (["MADE-UP-"] if cut == "inside a CLM" else []) + [
        "MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-R1", "MADE-UP-R2"]
    assert all(c.error is None for c in claims(recs))
    assert not any(isinstance(e, RunError) and e.message.startswith("X12-CLM-COUNT") for e in recs)


def test_an_isa_inside_a_value_is_not_a_new_interchange():
    # Made-up segments: ISA as a word inside values, not an interchange header.
    buf = "NM1*IL*1*LISA*JONES~REF*EA*ISA*00*X~N3*ISA* 1 MADE-UP STREET~"
    assert isa_inside(buf, "~") == -1
    head = tilde(TWO[:1]).decode()
    assert isa_inside("CLM*MADE-UP-" + head, "~") == len("CLM*MADE-UP-")
    assert isa_inside("CLM*MADE-UP-~\n" + head, "~") == -1  # a segment start: the stream's usual ISA


# -- CLM segments written with an element separator above 0x7F --------------------------------------

def latin1(segs: list[str], sep: bytes = b"\xa7") -> bytes:
    """The segments with element separator ``sep`` (0xA7 is the section sign in Latin-1), made up."""
    return b"~\n".join(s.encode().replace(b"*", sep) for s in segs) + b"~\n"


def _count(data: bytes, chunk: int) -> int:
    stream = SegmentStream(data[i:i + chunk] for i in range(0, len(data), chunk))
    stream.count_rest()
    return stream.clm_bytes


@pytest.mark.parametrize("chunk", [1 << 16, 3, 1])
@pytest.mark.parametrize("sep", [b"\xa7", "\u00a7".encode("utf-8"), b"\xfe"])
def test_the_byte_count_counts_clm_segments_with_the_separator_the_isa_declares(sep, chunk):
    assert _count(latin1(TWO, sep), chunk) == 2  # before: 0, the count knew ASCII marks only


@pytest.mark.parametrize("chunk", [1 << 16, 1])
def test_a_high_byte_after_clm_is_not_counted_unless_an_isa_declares_it(chunk):
    # Made-up: an ISA declaring '*', and values with CLM followed by 0xA7 / the separator itself.
    data = tilde(TWO[:1]) + b"NTE*ADD*SEE CLM\xa7 2~\nNM1*IL*CLM*X~\nCLM*MADE-UP-P1*1~\n"
    assert _count(data, chunk) == 1
    # And a CLM element value between two declared 0xA7 separators is a value, not a segment start.
    assert _count(latin1(TWO[:1]) + b"NM1\xa7IL\xa7CLM\xa7X~\n", chunk) == 0


def test_whole_latin1_files_are_read_and_need_no_accounting():
    recs = read(latin1(TWO), 1 << 16)
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert not any(isinstance(e, RunError) and "X12-CLM-COUNT" in e.message for e in recs)


def test_claims_the_tokenizer_cannot_split_with_a_latin1_separator_are_listed_not_lost():
    # Made-up: the ISA cut after two elements and no GS / ST to guess delimiters from.
    data = b"ISA\xa700\xa7  \nCLM\xa7MADE-UP-L1\xa7100\xa7\xa7\xa711:B:1~\nCLM\xa7MADE-UP-L2\xa750~\n"
    recs = read(data, 1 << 16)
    out = claims(recs)
    assert len(out) == 2 and all(c.claim is None and c.error.kind == "unreadable-claim" for c in out)  # before: none
    assert any(isinstance(e, RunError) and e.message.startswith("X12-CLM-COUNT: the file's bytes hold 2 CLM") for e in recs)
