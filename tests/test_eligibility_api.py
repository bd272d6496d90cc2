"""The public helpers of scrubber.fields.eligibility that the eligibility pack's derived fields build on,
and the payer-policy field table (one declaration per field). MADE-UP people and payers only."""
from __future__ import annotations

from datetime import date

from scrubber.fields.eligibility import (
    EligibilityIndex, compared_person, covers, norm_member, patient_spans, span_place,
)
from scrubber.model import Claim, CoverageSpan, Payer, Person, ServiceLine, Source

DOS = date(2025, 6, 2)


def span(first, birth, rel="18", start=date(2025, 1, 1), end=None, line=2, payer="MADE-UP-P1"):
    return CoverageSpan(member_id="MADEUP-0001", payer_id=payer, start=start, end=end, last_name="DOE",
                        first_name=first, birth_date=birth, relationship=rel,
                        source=Source(f"line {line}", line), source_file="made-up.csv")


def claim(first="JANE", birth=date(1980, 4, 2), member="madeup 0001"):
    person = Person(last_name="Doe", first_name=first, member_id=member, birth_date=birth, relationship="18")
    return Claim(claim_id="MADE-UP-API-1", kind="837P", source=Source("made-up.json"), service_from=DOS,
                 service_to=DOS, subscriber=person, patient=person, payer=Payer(name="MADE UP", payer_id="MADE-UP-P1"),
                 lines=(ServiceLine(number=1, code="99213", date_from=DOS, date_to=DOS),))


def test_covers_is_inclusive_and_an_open_end_covers_every_later_day():
    s = span("JANE", None, start=date(2025, 1, 1), end=date(2025, 3, 31))
    assert covers(s, date(2025, 1, 1)) and covers(s, date(2025, 3, 31))
    assert not covers(s, date(2025, 4, 1)) and not covers(s, date(2024, 12, 31))
    assert covers(span("JANE", None, end=None), date(2099, 1, 1))


def test_span_place_names_the_csv_line():
    assert span_place(span("JANE", None, line=7)) == "made-up.csv:7"
    assert span_place(None) is None


def test_member_ids_compare_without_spaces_and_dashes():
    assert norm_member("madeup 0001") == norm_member("MADEUP-0001") == "MADEUP0001"


def test_compared_person_is_the_one_the_check_compared_the_birth_date_with():
    spans = [span("JANE", date(1980, 4, 2)), span("JOHN", date(1979, 1, 1), rel="01", line=3)]
    index = EligibilityIndex(spans, ["MADE-UP-P1"])
    wrong_birth = claim(birth=date(1980, 2, 4))
    assert index.check(wrong_birth)["birth_date_matches"] is False
    person = compared_person(wrong_birth, spans)
    assert (person.first_name, person.birth_date, span_place(person)) == ("JANE", date(1980, 4, 2), "made-up.csv:2")
    assert index.check(claim())["birth_date_matches"] is True
    assert compared_person(claim(), spans).birth_date == date(1980, 4, 2)
    assert compared_person(claim(), []) is None


def test_patient_spans_keep_the_patients_own_spans():
    spans = [span("JANE", None), span("JOHN", None, rel="01", line=3)]
    assert [s.first_name for s in patient_spans(claim(), spans)] == ["JANE"]


def test_every_payer_field_is_registered_once_with_its_doc_and_gate():
    from scrubber.fields.payer import PARAM_OF_FIELD, PAYER_FIELDS
    from scrubber.fields.registry import DERIVED, ensure_loaded

    ensure_loaded()
    names = [(f[0], f[1]) for f in PAYER_FIELDS]
    assert len(names) == len(set(names))
    for fact, name, ftype, loc, _get, needs, _doc in PAYER_FIELDS:
        registered = DERIVED[(fact, name)]
        assert (registered.type, registered.loc_field) == (ftype, loc)
        assert registered.doc, f"{fact}.{name} has no doc for `rules explain`"
        assert PARAM_OF_FIELD.get((fact, name)) == needs
    assert PARAM_OF_FIELD[("line", "frequency_exceeded")] == "frequency_limits"
