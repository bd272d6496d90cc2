"""One definition of "the same member" (``fields.common``), used by eligibility, frequency limits,
the ledger's pseudonyms and duplicate detection: a member id written with different case, spacing
or punctuation is one member in each. All ids and names here are MADE UP."""
from __future__ import annotations

from datetime import date

from scrubber.fields.common import member_id_key, member_key, normalised_member_id
from scrubber.fields.eligibility import norm_member
from scrubber.fields.frequency import FrequencyTracker
from scrubber.ledger import PseudonymKeys
from scrubber.model import Claim, Person, ServiceLine, Source

SPELLINGS = ("MADEUP0001", "madeup 0001", " MadeUp-0001 ", "MADEUP.0001", "made/up\t0001")


def claim(member_id: str, claim_id: str = "MADE-UP-1", *, last="O'Brien", first="Jane", dos=date(2025, 3, 3)) -> Claim:
    line = ServiceLine(number=1, code="99213", date_from=dos, date_to=dos)
    return Claim(claim_id=claim_id, kind="837P", source=Source("made-up.json"), service_from=dos, service_to=dos,
                 lines=(line,), subscriber=Person(last_name=last, first_name=first, member_id=member_id,
                                                  relationship="18", birth_date=date(1980, 1, 2)))


def test_spellings_of_one_member_id_normalise_alike():
    assert {normalised_member_id(s) for s in SPELLINGS} == {"MADEUP0001"}
    assert normalised_member_id("  ") is None and normalised_member_id(None) is None
    assert normalised_member_id("MADEUP0001") != normalised_member_id("MADEUP0002")


def test_eligibility_matches_every_spelling():
    assert {norm_member(s) for s in SPELLINGS} == {"MADEUP0001"}


def test_ledger_pseudonym_is_one_per_member():
    keys = PseudonymKeys(b"made-up salt")
    assert len({keys.member_key(s) for s in SPELLINGS}) == 1
    assert len({keys.claim_key(s, "MADE-UP-1") for s in SPELLINGS}) == 1
    assert keys.member_key("MADEUP0001") != keys.member_key("MADEUP0002")


def test_duplicate_key_is_one_patient_across_spellings_of_id_and_name():
    a = claim("MADEUP0001", last="O'Brien", first="Jane")
    b = claim("madeup-0001", last="obrien", first=" JANE ")
    assert member_key(a) == member_key(b) and member_id_key(a) == member_id_key(b)
    # Same id, another person (a dependant, a reused test id): the same member, not the same patient.
    other = claim("MADEUP0001", last="O'Brien", first="John")
    assert member_id_key(other) == member_id_key(a) and member_key(other) != member_key(a)


def test_frequency_limit_counts_one_member_across_spellings():
    limit = {"procedures": ["99213"], "max": 1, "per_days": 365}
    tracker = FrequencyTracker()
    assert tracker.check_and_add(claim("MADEUP0001", "MADE-UP-1"), [limit]) == []
    over = tracker.check_and_add(claim("madeup-0001", "MADE-UP-2", dos=date(2025, 4, 1)), [limit])
    assert [o["line"] for o in over] == [1]
