"""Limits a hostile X12 file cannot pass (issue 19): element length, segment size, segments per
transaction, claims per file. Each is a located finding or run error, the rest of the file is read,
and every CLM segment of the input is one claim of the output.

The element maximum lengths come from the X12 005010 data element dictionary (pyx12's maps of the
837 guides, regenerated and compared here); the other three limits are claimscrub's own settings
(``scrubber/readers/x12/limits.py``). Inputs are the bundled MADE-UP fixtures, with made-up
oversized values.
"""
from __future__ import annotations

import io
import os
import tracemalloc
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.readers import read_stream
from scrubber.readers.x12 import read_x12
from scrubber.readers.x12.limits import Limits, from_environment
from scrubber.readers.x12.maxlen import MAX_LENGTHS

FIX = ROOT / "fixtures" / "x12"
TWO = [s for s in (FIX / "837p-two-claims.837").read_text().replace("\n", "").split("~") if s]
FIVE = (ROOT / "fixtures" / "claims" / "professional.837").read_bytes()


def x12(segs: list[str]) -> bytes:
    return ("~\n".join(segs) + "~\n").encode()


def read(data: bytes, limits: Limits | None = None, chunk: int = 1 << 16) -> list:
    chunks = (data[i:i + chunk] for i in range(0, len(data), chunk))
    return list(read_x12(chunks, "made-up.837", limits))


def claims(recs) -> list[ClaimRecord]:
    return [r for r in recs if isinstance(r, ClaimRecord)]


def errors(recs) -> list[RunError]:
    return [r for r in recs if isinstance(r, RunError)]


def findings(rec: ClaimRecord, rule_id: str) -> list:
    return [f for f in rec.findings if f.rule_id == rule_id]


def with_segment(segs: list[str], prefix: str, new: str) -> list[str]:
    """``segs`` with the first segment starting with ``prefix`` replaced by ``new``."""
    i = next(k for k, s in enumerate(segs) if s.startswith(prefix))
    return segs[:i] + [new] + segs[i + 1:]


# -- element lengths: the X12 dictionary's ------------------------------------------------------

def _from_pyx12() -> dict:
    import pyx12

    base = os.path.join(os.path.dirname(pyx12.__file__), "map")
    dictionary = {d.get("ele_num"): (d.get("data_type"), int(d.get("max_len")))
                  for d in ET.parse(os.path.join(base, "dataele.xml")).getroot().iter("data_ele")}
    out: dict = {}
    for name in ("837.5010.X222.A1.xml", "837Q3.I.5010.X223.A1.xml"):
        for seg in ET.parse(os.path.join(base, name)).getroot().iter("segment"):
            sid = seg.get("xid")
            if sid in ("ISA", "GS", "GE", "IEA", "TA1"):
                continue
            for el in seg:
                if el.tag == "element":
                    typ, mx = dictionary[el.findtext("data_ele")]
                    pos = int(el.findtext("seq"))
                    prev = out.get((sid, pos), (0, False))
                    out[(sid, pos)] = (max(prev[0], mx), typ.startswith(("R", "N")))
    return out


def test_the_maximum_lengths_are_pyx12s_maps_of_the_837_guides():
    table = {(sid, pos): (mx, num) for sid, rows in MAX_LENGTHS.items() for pos, mx, num in rows}
    assert table == _from_pyx12()
    assert table[("CLM", 1)] == (38, False) and table[("NM1", 3)] == (60, False) and table[("CLM", 2)] == (18, True)


def test_an_element_past_its_maximum_length_is_a_located_finding_on_its_claim():
    long_id = "MADE-UP-" + "X" * 31  # 39 characters: CLM01 (1028) is AN 1/38
    segs = [s if not s.startswith("CLM*MADE-UP-P2") else s.replace("MADE-UP-P2", long_id, 1) for s in TWO]
    recs = read(x12(segs))
    first, second = claims(recs)
    assert not findings(first, "X12-ELEM-LENGTH")
    [f] = findings(second, "X12-ELEM-LENGTH")
    clm_no = next(i + 1 for i, s in enumerate(segs) if s.startswith("CLM*" + long_id))
    assert (f.location_path, f.location_segment, f.severity) == ("CLM01", clm_no, "error")
    assert "39 characters" in f.message and "38" in f.message and long_id not in f.message  # no claim data in it


def test_a_long_name_in_an_hl_loop_is_flagged_on_the_claim_under_it():
    segs = list(TWO)
    i = next(k for k, s in enumerate(segs) if s.startswith("NM1*IL"))
    parts = segs[i].split("*")
    parts[3] = "MADEUP" * 11  # 66 characters: NM103 (1035) is AN 1/60
    segs[i] = "*".join(parts)
    first, second = claims(read(x12(segs)))  # P1 is under this subscriber HL, P2 under another
    [f] = findings(first, "X12-ELEM-LENGTH")
    assert (f.location_path, f.location_segment) == ("NM103", i + 1) and "MADEUP" not in f.message
    assert not findings(second, "X12-ELEM-LENGTH")


def test_numbers_count_digits_not_sign_or_decimal_point():
    """X12: the length of an R element excludes its sign and decimal point; CLM02 (782) is R 1/18."""
    def clm02(value: str) -> list:
        segs = [s if not s.startswith("CLM*MADE-UP-P1") else "*".join(
            (p if k != 2 else value) for k, p in enumerate(s.split("*"))) for s in TWO]
        return findings(claims(read(x12(segs)))[0], "X12-ELEM-LENGTH")

    assert clm02("-1234567890123456.78") == []  # 18 digits, 20 characters
    assert len(clm02("1234567890123456789")) == 1  # 19 digits


# -- segment size: ours ------------------------------------------------------------------------

def _huge_chunks(head: bytes, size: int, tail: bytes, block: int = 1 << 20):
    """``head`` + ``size`` bytes of 'A' + ``tail``, produced a block at a time (never in memory whole)."""
    yield head
    for _ in range(size // block):
        yield b"A" * block
    yield tail


def test_a_100_mb_segment_is_cut_not_held_and_the_rest_of_the_file_is_read():
    data = x12(TWO)
    i = data.index(b"NTE*") if b"NTE*" in data else data.index(b"DTP*472")
    head, tail = data[:i] + b"NTE*ADD*", b"~\n" + data[i:]
    tracemalloc.start()
    try:
        recs = list(read_x12(_huge_chunks(head, 100 << 20, tail), "made-up.837"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # the 100 MB segment never became one string (each 1 MB block is let go)
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    [err] = [e for e in errors(recs) if e.message.startswith("X12-SEG-SIZE")]
    assert "104,857,6" in err.message and "65,536" in err.message and "about byte" in err.message
    flagged = [c for c in claims(recs) if findings(c, "X12-SEG-SIZE")]
    assert len(flagged) == 1 and findings(flagged[0], "X12-SEG-SIZE")[0].location_segment == err.segment


def test_a_wrong_terminator_hiding_claims_lists_each_of_them():
    """A file whose segments are all one 'segment' (the terminator is wrong): nothing is read, but
    every CLM in it is an unreadable claim, not a silent loss."""
    data = x12(TWO[:3]) + "^".join(TWO[3:]).encode() * 200  # ~200 * 2 CLM segments past the limit
    recs = read(data, Limits(max_segment_chars=4096))
    n = data.count(b"CLM*")
    assert len(claims(recs)) == n
    assert all(c.error is not None for c in claims(recs)[1:])
    assert any(e.message.startswith("X12-SEG-SIZE") for e in errors(recs))


# -- segments per transaction and claims per file: ours ----------------------------------------

def test_segments_past_the_transaction_limit_are_not_read_and_their_claims_listed():
    five = FIVE.decode()
    total = five.count("CLM*")
    st_at = [s.strip() for s in five.split("~")].index(next(s.strip() for s in five.split("~") if s.strip().startswith("ST*")))
    limit = 40
    recs = read(FIVE, Limits(max_transaction_segments=limit))
    cs = claims(recs)
    assert len(cs) == total
    read_ok = [c for c in cs if c.error is None]
    unread = [c for c in cs if c.error is not None]
    assert read_ok and unread and all("limit of 40 segments" in c.error.message for c in unread)
    assert all(c.source.segment - st_at > limit for c in unread)  # only claims past the limit
    assert any(e.message.startswith("X12-TX-SIZE") for e in errors(recs)) or \
        all(findings(c, "X12-TX-SIZE") for c in cs)


def test_claims_past_the_file_limit_are_listed_unreadable_with_the_reason():
    recs = read(FIVE, Limits(max_claims_per_file=2))
    cs = claims(recs)
    assert len(cs) == FIVE.count(b"CLM*") == 5
    assert [c.error is None for c in cs] == [True, True, False, False, False]
    assert all("limit of 2 claims" in c.error.message for c in cs[2:])
    [err] = [e for e in errors(recs) if e.message.startswith("X12-FILE-CLAIMS")]
    assert err.segment == cs[2].source.segment and "the 3 from segment" in err.message


def test_the_limits_are_settings_in_the_environment(monkeypatch):
    monkeypatch.setenv("CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE", "3")
    cs = claims(read_stream(io.BytesIO(FIVE), "made-up.837"))
    assert [c.error is None for c in cs] == [True, True, True, False, False]
    limits, problems = from_environment({"CLAIMSCRUB_X12_MAX_SEGMENT_CHARS": "12"})
    assert limits == Limits() and "at least 1024" in problems[0]  # a typo never lifts or breaks a limit
    monkeypatch.setenv("CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE", "lots")
    recs = list(read_stream(io.BytesIO(FIVE), "made-up.837"))
    assert len([c for c in claims(recs) if c.error is None]) == 5
    assert [e.kind for e in errors(recs) if "CLAIMSCRUB_X12" in e.message] == ["config"]


# -- found by bench/fuzz.py --------------------------------------------------------------------

def test_a_mark_in_gs_does_not_become_the_guessed_terminator():
    """Fuzz case 1706 (bench/fuzz.py 2000): an ISA whose delimiters cannot be read and a byte of GS05
    flipped to '@': the guessed terminator was '@', the rest of the file one segment, the claim lost."""
    segs = list(TWO)
    isa = segs[0].split("*")
    isa[6] = isa[6] + "*X"  # one element too many: the ISA no longer declares its delimiters
    segs[0] = "*".join(isa)
    gs = segs[1].split("*")
    gs[5] = "@" + gs[5][1:]
    segs[1] = "*".join(gs)
    recs = read(x12(segs))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert any("delimiters guessed" in e.message and "'~'" in e.message for e in errors(recs))


@pytest.mark.parametrize("limit", [Limits(), Limits(max_segment_chars=1024, max_transaction_segments=100, max_claims_per_file=10)])
def test_normal_files_are_unchanged_under_the_limits(limit):
    """The bundled 837s read the same claims with no limit finding."""
    for path in sorted((ROOT / "fixtures" / "claims").glob("*.837")):
        recs = read(path.read_bytes(), limit)
        assert all(c.error is None for c in claims(recs)), path.name
        assert not [f for c in claims(recs) for f in c.findings if f.rule_id in ("X12-ELEM-LENGTH", "X12-SEG-SIZE", "X12-TX-SIZE")]


def _joined(*files: bytes) -> bytes:
    return b"".join(files)


# The two-claim fixture written with another segment terminator (0x1E) and its claims renamed.
OTHER = ("\x1e\n".join(s.replace("MADE-UP-P", "MADE-UP-Q") for s in TWO) + "\x1e\n").encode()


def test_a_truncated_interchange_joined_to_the_next_loses_none_of_its_claims():
    """bench/fuzz.py --batch: 'ISA*03*98765~' (a file cut inside its ISA) before a whole file: the
    cut ISA's 16 elements ran into the next ISA, whose claims were then read with garbage delimiters."""
    recs = read(_joined(OTHER, b"ISA*03*98765\x1e\n", x12(TWO)))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-P1", "MADE-UP-P2"]
    assert any("cut short" in e.message for e in errors(recs))


def test_a_later_interchange_with_a_damaged_isa_and_other_delimiters_is_read_with_its_own():
    """bench/fuzz.py --batch: the second file's ISA unreadable (a separator flipped) and written with
    '~' after a file written with 0x1E: keeping 0x1E made the whole second file one segment."""
    segs = list(TWO)
    parts = segs[0].split("*")
    segs[0] = "*".join(parts[:12]) + "=" + "*".join(parts[12:])  # the separator before ISA12 flipped
    recs = read(_joined(OTHER, x12(segs)))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-P1", "MADE-UP-P2"]


def test_text_after_an_iea_in_other_delimiters_is_split_with_its_own():
    """bench/fuzz.py --batch: a stray terminator after the IEA, then a file written with other
    delimiters: the ISA was not at the start of the text after the IEA, so it was not re-read."""
    recs = read(_joined(OTHER, b"\x1e\n", x12(TWO)))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-P1", "MADE-UP-P2"]


def test_information_separators_as_delimiters_are_found_when_the_isa_is_damaged():
    """bench/fuzz.py case 1708: element separator 0x1F, ISA10's separator flipped: Python's \\s matches
    0x1C-0x1F, so 'GS' + 0x1F was not seen as a segment and 'ST' in 'MAIN ST~' gave the delimiters."""
    segs = [s.replace("*", "\x1f") for s in TWO]
    parts = segs[0].split("\x1f")
    segs[0] = "\x1f".join(parts[:10]) + "c" + "\x1f".join(parts[10:])  # 15 elements: delimiters unreadable
    recs = read(x12(segs))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert any("guessed from the GS segment" in e.message for e in errors(recs))


def test_a_terminator_equal_to_the_repetition_separator_is_not_used():
    """bench/fuzz.py case 845: '~' after ISA16 flipped to '^', which ISA11 declares the repetition
    separator: split at '^', the ISA itself fell apart and the claim with it."""
    segs = list(TWO)
    data = x12(segs)
    i = data.index(b"~")
    recs = read(data[:i] + b"^" + data[i + 1:])
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert any("repetition separator" in e.message for e in errors(recs))


def test_stray_bytes_or_a_damaged_isa_after_an_iea_do_not_hide_the_next_file():
    """bench/fuzz.py --batch cases 6731 (0xFF 0xFE before the next ISA), 3330 and 6578 (the next ISA's
    id damaged, the next file written with other delimiters)."""
    for junk in (b"\xff\xfe", b""):
        recs = read(OTHER + junk + x12(TWO))
        assert [c.claim_id for c in claims(recs)] == ["MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-P1", "MADE-UP-P2"], junk
    for damaged in (b"I\xb8A", b"IS\xed\xa0\x80A"):
        recs = read(OTHER + damaged + x12(TWO)[3:])
        assert [c.claim_id for c in claims(recs)] == ["MADE-UP-Q1", "MADE-UP-Q2", "MADE-UP-P1", "MADE-UP-P2"], damaged
        assert any("skipped" in e.message for e in errors(recs))


def test_a_street_named_st_is_not_taken_for_an_st_segment():
    """bench/fuzz.py case 6572: a file that no longer starts with its ISA; '236 N MAIN ST~' was taken
    for the first envelope segment and everything before it skipped."""
    segs = list(TWO)
    k = next(i for i, s in enumerate(segs) if s.startswith("N3*"))
    segs[k] = "N3*236 N MAIN ST"
    street = segs.pop(k)
    body = x12([street] + segs[1:])  # the ISA lost, the N3 moved to the top
    recs = list(read_stream(io.BytesIO(body), "made-up.837"))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]


def test_two_stray_bytes_like_a_utf16_mark_before_8_bit_text_are_not_read_as_utf16():
    """bench/fuzz.py case 6731: 0xFF 0xFE before 'ISA*': read as UTF-16 it was garbage, its claims lost."""
    recs = list(read_stream(io.BytesIO(b"\xff\xfe" + x12(TWO)), "made-up.837"))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]


def test_a_declared_terminator_that_never_occurs_does_not_swallow_the_rest_of_the_file():
    """bench/fuzz.py --batch case 843: the byte after ISA16 flipped to 0x86; the declared terminator
    occurs nowhere, so this file and the next one joined to it were one segment, their claims lost."""
    data = x12(TWO)
    i = data.index(b"~")
    recs = read(data[:i] + b"\x86" + data[i + 1:] + OTHER)
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2", "MADE-UP-Q1", "MADE-UP-Q2"]
    assert any("does not occur in the interchange" in e.message for e in errors(recs))


def test_a_flipped_gs_separator_does_not_decide_the_delimiters_when_the_isa_is_unreadable():
    """bench/fuzz.py 100,000-claim run, single cases 50213 and 64620: the ISA unreadable and the byte
    after 'GS' flipped (0x1F, 0xEA): delimiters guessed from that GS alone split nothing, the claim
    was lost. The ST after it now wins: it splits the interchange into segments."""
    segs = list(TWO)
    parts = segs[0].split("*")
    segs[0] = "*".join(parts[:2]) + "\x0f" + "*".join(parts[2:])  # ISA02/03 separator flipped
    segs[1] = "GS\xea" + segs[1][3:]
    recs = read(x12(segs).replace("GS\xc3\xaa".encode("latin-1"), b"GS\xea"))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]


def test_a_file_cut_right_after_isa_does_not_hide_the_next_one():
    """bench/fuzz.py 100,000-claim run, batch 1300: 'ISA~' (a file cut after its first bytes) before a
    whole file: '~' was taken for the element separator, the next GS for an element value, and the
    whole rest of the batch was not read (5 claims lost)."""
    recs = read(b"ISA~\n" + x12(TWO))
    assert [c.claim_id for c in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
