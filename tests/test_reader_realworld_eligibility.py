"""Eligibility readers on shapes seen in real 271 / 834 files from other projects.

Each case is reproduced by a made-up fixture in fixtures/eligibility (values invented);
the real files themselves stay outside the repository.
"""
from datetime import date
from pathlib import Path

from scrubber.readers.eligibility import read_file

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "eligibility"


def test_834_corrected_member_keeps_2100a_name_and_birth_date_not_2100b():
    # 2100A NM1*74 is the corrected member; 2100B NM1*70 + DMG is the prior, incorrect one
    # (834 TR3; X12 RFI 1844). The span must carry the corrected name and birth date.
    spans, payers, errors = read_file(str(FIX / "made-up-834-corrected-member.x12"))
    assert errors == []
    assert payers == {"MADE-UP-ENR06"}
    assert len(spans) == 1
    span = spans[0]
    assert span.member_id == "MADEUP3001"
    assert (span.last_name, span.first_name) == ("NOE", "ALEX")
    assert span.birth_date == date(1990, 2, 2)


def test_eligibility_file_with_a_short_isa_says_the_isa_is_broken_not_that_there_is_no_st():
    # A hand-written ISA cut short ("ISA*00*...*ZZ*SENDER~"): the 16th element separator is
    # found inside later segments, so the "terminator" read after it is a letter. Say so,
    # at segment 1, instead of splitting the file wrongly and reporting "no ST transaction".
    spans, payers, errors = read_file(str(FIX / "made-up-834-short-isa.x12"))
    assert spans == []
    assert len(errors) == 1
    assert errors[0].segment == 1
    assert "ISA" in errors[0].message and "no ST transaction" not in errors[0].message


def test_utf16_eligibility_file_with_bom_is_read():
    # Windows PowerShell redirection writes UTF-16 LE with a BOM; it is the same 834.
    spans, payers, errors = read_file(str(FIX / "made-up-834-utf16le-bom.x12"))
    assert errors == []
    assert [(s.member_id, s.last_name, s.birth_date) for s in spans] == [("MADEUP3001", "NOE", date(1990, 2, 2))]
