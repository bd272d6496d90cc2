"""The 837 reader on shapes seen in real X12 files from other projects (kept outside the repo).

Each case is reproduced by a made-up fixture in fixtures/x12/realworld (values invented,
see its README); the test fails without the reader fix it guards.
"""
from pathlib import Path

from scrubber.model import ClaimRecord, Loc, RunError
from scrubber.readers import iter_records

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "realworld"


def read(name: str) -> tuple[list[ClaimRecord], list[RunError]]:
    recs = list(iter_records([str(FIX / name)]))
    return [r for r in recs if isinstance(r, ClaimRecord)], [r for r in recs if isinstance(r, RunError)]


def test_ta1_before_the_group_is_not_read_as_a_claim_transaction():
    # A TA1 (interchange acknowledgment) may sit between ISA and GS (X12.6); it is not a
    # segment outside a transaction and must not open an implicit 837 transaction.
    claims, errors = read("made-up-ta1-then-837.x12")
    assert [c.claim_id for c in claims] == ["MADE-UP-TA1-1"]
    assert [f.rule_id for c in claims for f in c.findings] == []
    assert [(e.kind, e.segment) for e in errors] == [("unsupported", 2)]  # a note, not a structure error


def test_ta1_only_interchange_says_it_holds_no_claims():
    claims, errors = read("made-up-ta1-only.x12")
    assert claims == []
    assert [(e.kind, e.segment) for e in errors] == [("unsupported", 2)]
    assert "TA1" in errors[0].message and "not an 837" in errors[0].message


def test_short_isa_whose_sender_id_ends_in_st_still_guesses_delimiters_from_the_gs():
    # A hand-written ISA cut short ("...*ZZ*TEST~") cannot declare the delimiters, so they are
    # guessed from the next envelope segment. "TEST~" must not be taken for an "ST" segment
    # (which made '~' the element separator and lost every claim).
    claims, errors = read("made-up-short-isa-sender-ending-in-st.x12")
    assert [c.claim_id for c in claims] == ["MADE-UP-SHORTISA-1"]
    assert claims[0].claim is not None and claims[0].claim.total_charge is not None
    rules = [e.message.split(":")[0] for e in errors]
    assert "X12-ISA" in rules
    assert "X12-ST-MISSING" not in rules
    assert "guessed from the GS segment (element '*', terminator '~')" in " ".join(e.message for e in errors)


def test_billing_provider_nm1_one_element_short_is_reported_not_silently_npi_less():
    # "NM1*85*2*NAME****XX*NPI" (one '*' short, seen in a real file) shifts the NPI into
    # NM108: the claim would silently have no billing NPI. NM108 in 2010AA is XX only, and
    # NM108 / NM109 go together (X12 syntax P0809).
    claims, errors = read("made-up-billing-nm1-one-element-short.x12")
    assert errors == []
    (rec,) = claims
    billing = [p for p in rec.claim.providers if p.role == "billing"]
    assert billing[0].npi is None
    located = sorted((f.rule_id, f.location_path, f.location_segment) for f in rec.findings)
    # X12-ELEM-LENGTH (issue 19): the 10-character NPI in NM108, whose data element 66 is ID 1/2
    assert located == [("X12-CODE", "2010AA/NM108", 9), ("X12-ELEM-LENGTH", "NM108", 9), ("X12-REQ-ELEM", "2010AA/NM109", 9)]


def test_dos_eof_ctrl_z_and_nul_padding_after_the_iea_are_not_segments():
    # Files from DOS tools end with Ctrl-Z (0x1A); mainframe transfers pad blocks with NULs.
    # Neither is data: no truncated segment, no segment outside a transaction.
    for name, claim_id in (("made-up-dos-eof-ctrl-z.x12", "MADE-UP-EOFPAD-1"), ("made-up-nul-padded.x12", "MADE-UP-NULPAD-1")):
        claims, errors = read(name)
        assert [c.claim_id for c in claims] == [claim_id], name
        assert [f.rule_id for c in claims for f in c.findings] == [], name
        assert errors == [], name


def test_pat_in_2000b_has_no_relationship_code_and_needs_none():
    # 837P 2000B PAT (subscriber is the patient: date of death, weight, pregnancy) does not
    # use PAT01-PAT04; only 2000C PAT carries PAT01 (relationship). Seen in a real file
    # ("PAT*****D8*20200302"), which got a false "PAT01 is missing".
    claims, errors = read("made-up-pat-in-2000b-date-of-death.x12")
    assert errors == []
    assert [c.claim_id for c in claims] == ["MADE-UP-PAT2000B-1"]
    assert [f.rule_id for c in claims for f in c.findings] == []
    assert claims[0].claim.patient.relationship == "18"


def test_utf16_file_with_bom_is_read():
    # Windows PowerShell redirection (`>`) writes UTF-16 LE with a BOM; the bytes are X12
    # all the same and must not be rejected as "not an X12 837 or JSON claim file".
    claims, errors = read("made-up-utf16le-bom.x12")
    assert errors == []
    assert [c.claim_id for c in claims] == ["MADE-UP-UTF16-1"]
    assert [f.rule_id for c in claims for f in c.findings] == []
    assert claims[0].claim.total_charge is not None


def test_lower_case_file_is_reported_as_lower_case_not_as_not_x12():
    claims, errors = read("made-up-lower-case.x12")
    assert claims == []
    assert [(e.kind, e.segment) for e in errors] == [("unreadable-file", 1)]
    assert "lower case" in errors[0].message


def test_subscriber_nm1_in_the_transaction_header_is_misplaced():
    # The header holds only 1000A (NM1*41 submitter) and 1000B (NM1*40 receiver); real
    # hand-made samples put NM1*IL there, and it was silently accepted as a header segment.
    claims, errors = read("made-up-subscriber-nm1-in-header.x12")
    assert errors == []
    located = [(f.rule_id, f.location_path, f.location_segment) for c in claims for f in c.findings]
    assert located == [("X12-SEG-MISPLACED", "header/NM101", 8)]


def test_version_finding_points_at_st03_when_st03_names_the_guide():
    # ST03 overrides GS08 (it is what the reader goes by); a real file had GS08 005010X221A1
    # and ST03 005010X224A3, and the X12-VERSION finding pointed at GS08, not at ST03.
    claims, errors = read("made-up-st03-names-another-guide.x12")
    (rec,) = claims
    version = [(f.location_path, f.location_segment) for f in rec.findings if f.rule_id == "X12-VERSION"]
    assert version == [("ST03", 3)]
    assert "005010X224A2" in next(f.message for f in rec.findings if f.rule_id == "X12-VERSION")


def test_space_after_isa16_is_not_taken_for_the_segment_terminator():
    # "...*0*T*: ~": a stray space between ISA16 and the terminator. A space cannot be the
    # segment terminator (names and addresses hold spaces); taking it split every segment
    # and lost the claim. The delimiters are guessed from the GS instead, with an ISA error.
    claims, errors = read("made-up-space-after-isa16.x12")
    assert [c.claim_id for c in claims] == ["MADE-UP-ISASPACE-1"]
    assert claims[0].claim.subscriber.last_name == "MADEUP"
    assert [e.message.split(":")[0] for e in errors] == ["X12-ISA"]
    assert errors[0].segment == 1


def test_837d_dental_lines_are_read_from_sv3_so_line_charges_add_up():
    # 837D (005010X224A2) is read on a best-effort basis; its service lines are SV3. They
    # were dropped, so every real dental claim read (APEX EDI, DSN Software samples) looked
    # as if its lines summed to 0.00 and the claim-balance rule fired on a balanced claim.
    claims, errors = read("made-up-837d-dental.x12")
    assert errors == []
    (rec,) = claims
    lines = rec.claim.lines
    assert [(ln.number, ln.code_qualifier, ln.code, str(ln.charge), str(ln.units)) for ln in lines] == [
        (1, "AD", "D0120", "55.00", "1"), (2, "AD", "D2392", "250.00", "1")]
    assert sum(ln.charge for ln in lines) == rec.claim.total_charge
    assert [f.rule_id for f in rec.findings] == ["X12-VERSION"]
    assert lines[1].locs["charge"] == Loc("2400[2]/SV302", 27)


def test_interchange_after_a_missing_iea_is_read_with_its_own_delimiters():
    # Files concatenated into one batch: the first interchange lost its IEA, the next one
    # declares other delimiters ('|' '>' '!'). The next ISA must be re-read for its own
    # delimiters; before, the whole second interchange (and its claim) was lost.
    claims, errors = read("made-up-missing-iea-then-other-delimiters.x12")
    assert [c.claim_id for c in claims] == ["MADE-UP-NOIEA-1", "MADE-UP-NOIEA-2"]
    assert all(c.claim is not None and c.claim.total_charge is not None for c in claims)
    assert [f.rule_id for c in claims for f in c.findings] == []
    assert [(e.message.split(":")[0], e.segment) for e in errors] == [("X12-IEA-MISSING", 1)]


def test_a_non_ascii_digit_in_a_number_element_is_a_finding_not_an_unreadable_claim(tmp_path):
    # Found in review: str.isdigit() is true for '²' and int() then raised, so one stray
    # character (LX01, a diagnosis pointer, SV107) turned the whole claim unreadable with no location.
    src = Path(__file__).resolve().parent.parent / "fixtures" / "claims" / "professional.837"
    text = src.read_text().replace("LX*1~", "LX*\u00b2~", 1)
    bad = tmp_path / "made-up-superscript-digit.837"
    bad.write_text(text, encoding="utf-8")
    good = [r for r in iter_records([str(src)]) if isinstance(r, ClaimRecord)]
    got = [r for r in iter_records([str(bad)]) if isinstance(r, ClaimRecord)]
    assert len(got) == len(good) and all(r.claim is not None for r in got)
