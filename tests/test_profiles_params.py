"""Payer parameters computed on calendar dates: timely filing, member id formats, per-claim facts."""
import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from scrubber.config import add_months, load_profiles, load_settings, member_id_matches, payer_facts, timely_filing_deadline
from scrubber.fields.payer_params import is_timely, sex_edits_active
from scrubber.model import Claim, OtherPayer, Payer, Person, ServiceLine, Source

DAYS_365 = {"days": 365, "from": "date_of_service"}
MEDICARE_12_MONTHS = {"months": 12, "from": "date_of_service"}


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(settings=load_settings(env={}))


def claim(dos=date(2025, 3, 15), *, created=None, member_id="1EG4TE5MK73", codes=("99213",), kind="837P",
          prior_auth=None, referral=None, statement_to=None, other_payers=()):
    """A MADE-UP claim for parameter tests."""
    lines = tuple(ServiceLine(number=i + 1, code=c, date_from=dos, date_to=dos) for i, c in enumerate(codes))
    return Claim(
        claim_id="MADE-UP-PARAMS-1", kind=kind, source=Source("made-up.json"), created=created,
        service_from=dos, service_to=statement_to or dos, statement_to=statement_to, lines=lines,
        subscriber=Person(last_name="DOE", first_name="JANE", member_id=member_id, relationship="18"),
        payer=Payer(name="MADE UP PAYER", payer_id="MADE-UP-P1"), payer_responsibility="P",
        prior_authorization=prior_auth, referral_number=referral, other_payers=tuple(other_payers),
    )


# --- timely filing: days -------------------------------------------------------------------

def test_day_365_is_timely_and_day_366_is_late():
    dos = date(2025, 1, 10)
    assert is_timely(dos, dos + timedelta(days=365), DAYS_365)
    assert not is_timely(dos, dos + timedelta(days=366), DAYS_365)


def test_days_limit_counts_february_29_as_a_day():
    dos = date(2023, 6, 1)
    assert timely_filing_deadline(dos, DAYS_365) == date(2024, 5, 31)  # 2024-02-29 lies in between


def test_90_day_limit_boundary():
    params = {"days": 90, "from": "date_of_service"}
    assert timely_filing_deadline(date(2025, 1, 1), params) == date(2025, 4, 1)


# --- timely filing: Medicare's 12 months / one calendar year --------------------------------

def test_medicare_twelve_months_is_same_date_next_year():
    assert timely_filing_deadline(date(2025, 3, 15), MEDICARE_12_MONTHS) == date(2026, 3, 15)
    assert is_timely(date(2025, 3, 15), date(2026, 3, 15), MEDICARE_12_MONTHS)
    assert not is_timely(date(2025, 3, 15), date(2026, 3, 16), MEDICARE_12_MONTHS)


def test_medicare_february_29_must_be_filed_by_february_28():
    # Pub. 100-04 ch. 1 section 70.1
    assert timely_filing_deadline(date(2024, 2, 29), MEDICARE_12_MONTHS) == date(2025, 2, 28)
    assert not is_timely(date(2024, 2, 29), date(2025, 3, 1), MEDICARE_12_MONTHS)


def test_calendar_year_across_a_leap_day_is_366_days_and_still_timely():
    dos = date(2023, 6, 1)
    filed = date(2024, 6, 1)
    assert (filed - dos).days == 366
    assert is_timely(dos, filed, MEDICARE_12_MONTHS)
    assert not is_timely(dos, filed, DAYS_365)


def test_end_of_calendar_year_start():
    params = {"days": 365, "from": "end_of_calendar_year"}
    assert timely_filing_deadline(date(2025, 3, 10), params) == date(2026, 12, 31)


def test_prior_payer_adjudication_start_and_fallback_to_dos():
    params = {"days": 90, "from": "prior_payer_adjudication"}
    assert timely_filing_deadline(date(2025, 1, 5), params, prior_adjudication=date(2025, 6, 1)) == date(2025, 8, 30)
    assert timely_filing_deadline(date(2025, 1, 5), params) == date(2025, 4, 5)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(dos=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), days=st.integers(1, 800))
def test_days_limit_boundary_holds_for_any_date(dos, days):
    params = {"days": days, "from": "date_of_service"}
    assert is_timely(dos, dos + timedelta(days=days), params)
    assert not is_timely(dos, dos + timedelta(days=days + 1), params)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(dos=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_twelve_months_is_one_calendar_year_of_365_or_366_days(dos):
    deadline = timely_filing_deadline(dos, MEDICARE_12_MONTHS)
    assert (deadline.year, deadline.month) == (dos.year + 1, dos.month)
    assert deadline.day == dos.day or (dos.month, dos.day, deadline.day) == (2, 29, 28)
    leap_days = sum(1 for y in (dos.year, dos.year + 1) if calendar.isleap(y) and dos < date(y, 2, 29) <= deadline)
    assert (deadline - dos).days == 365 + leap_days


# --- member id pattern ----------------------------------------------------------------------

@pytest.mark.parametrize("mbi", ["1EG4TE5MK73", "9AA0AA0AA00", "1A04A05AA99"])
def test_valid_mbis_match_the_medicare_pattern(profiles, mbi):
    assert member_id_matches(mbi, profiles["medicare"].params["member_id_pattern"].value)


@pytest.mark.parametrize("bad,why", [
    ("0EG4TE5MK73", "position 1 cannot be 0"),
    ("1SG4TE5MK73", "S is never used"),
    ("1EG4TE5MK7", "10 characters"),
    ("1EG4-TE5-MK73", "dashes are not part of the MBI"),
    ("1eg4te5mk73", "lower case"),
    ("1E04TE5MK7B", "B is never used"),
    ("1EGATE5MK73", "position 4 is numeric"),
    ("123456789A", "old HICN-style number"),
])
def test_invalid_mbis_do_not_match(profiles, bad, why):
    assert not member_id_matches(bad, profiles["medicare"].params["member_id_pattern"].value), why


def test_member_id_check_is_none_without_pattern_or_id():
    assert member_id_matches(None, "^x$") is None
    assert member_id_matches("ABC", None) is None


# --- per-claim facts ------------------------------------------------------------------------

def test_medicare_claim_filed_after_a_year_is_late(profiles):
    params = profiles["medicare"].param_values()
    facts = payer_facts(claim(date(2024, 3, 1), created=date(2025, 3, 2)), params)
    assert facts["timely_filing_deadline"] == "2025-03-01"
    assert facts["filed_late"] is True and facts["days_past_deadline"] == 1
    on_time = payer_facts(claim(date(2024, 3, 1)), params, filed=date(2025, 3, 1))
    assert on_time["filed_late"] is False


def test_commercial_example_90_days_flags_what_medicare_allows(profiles):
    c = claim(date(2025, 1, 1), created=date(2025, 6, 1))
    assert payer_facts(c, profiles["commercial-example"].param_values())["filed_late"] is True
    assert payer_facts(c, profiles["medicare"].param_values())["filed_late"] is False


def test_institutional_claim_counts_from_the_through_date():
    c = claim(date(2025, 1, 1), kind="837I", statement_to=date(2025, 1, 20), created=date(2026, 1, 15))
    facts = payer_facts(c, {"timely_filing": MEDICARE_12_MONTHS})
    assert facts["timely_filing_dos"] == "2025-01-20" and facts["filed_late"] is False


def test_secondary_claim_counts_from_prior_payer_adjudication():
    op = OtherPayer(responsibility="P", adjudication_date=date(2025, 5, 1))
    c = claim(date(2025, 1, 1), created=date(2025, 7, 15), other_payers=[op])
    facts = payer_facts(c, {"timely_filing": {"days": 90, "from": "prior_payer_adjudication"}})
    assert facts["timely_filing_deadline"] == "2025-07-30" and facts["filed_late"] is False


def test_member_id_validity_in_facts(profiles):
    params = profiles["medicare"].param_values()
    assert payer_facts(claim(member_id="1EG4TE5MK73"), params)["member_id_valid"] is True
    assert payer_facts(claim(member_id="123456789A"), params)["member_id_valid"] is False


def test_medicare_sex_edits_stop_on_2024_10_01(profiles):
    params = profiles["medicare"].param_values()
    assert sex_edits_active(params, date(2024, 9, 30)) is True
    assert sex_edits_active(params, date(2024, 10, 1)) is False
    assert payer_facts(claim(date(2024, 10, 1)), params)["sex_edits_active"] is False
    assert payer_facts(claim(date(2024, 10, 1)), profiles["commercial-example"].param_values())["sex_edits_active"] is True


def test_prior_auth_missing_only_for_listed_procedures_without_ref_g1(profiles):
    params = profiles["commercial-example"].param_values()  # example list: 70551-70553, 72148
    missing = payer_facts(claim(codes=("99213", "70552")), params)
    assert missing["prior_auth_required"] is True and missing["prior_auth_missing"] is True
    assert missing["prior_auth_lines"] == [2]
    assert payer_facts(claim(codes=("70552",), prior_auth="MADEUP-AUTH-1"), params)["prior_auth_missing"] is False
    assert payer_facts(claim(codes=("99213",)), params)["prior_auth_required"] is False
    assert payer_facts(claim(codes=("70552",)), profiles["medicare"].param_values())["prior_auth_missing"] is None


def test_referral_missing_when_profile_requires_it(profiles):
    medicaid = profiles["medicaid-example"].param_values()
    assert payer_facts(claim(), medicaid)["referral_missing"] is True
    assert payer_facts(claim(referral="MADEUP-REF-1"), medicaid)["referral_missing"] is False
    assert payer_facts(claim(), profiles["commercial-example"].param_values())["referral_missing"] is False


def test_context_carries_params_and_derived_facts(profiles):
    ctx = profiles["medicare"].context(claim=claim(date(2024, 3, 1)), filed=date(2025, 3, 2))
    assert ctx.profile_id == "medicare"
    assert ctx.params["timely_filing"] == MEDICARE_12_MONTHS
    assert ctx.params["derived.filed_late"] is True
    assert ctx.params["derived.timely_filing_deadline"] == "2025-03-01"
    assert "25" in ctx.params["ptp_bypass_modifiers"]


# --- frequency limits across a batch --------------------------------------------------------

ONE_PREVENTIVE_PER_YEAR = {"procedures": ["99385-99387", "99395-99397"], "max": 1, "per_days": 365, "scope": "member"}


def test_second_preventive_visit_inside_365_days_is_over_the_limit():
    from scrubber.config import FrequencyTracker

    tracker = FrequencyTracker()
    assert tracker.check_and_add(claim(date(2025, 1, 1), codes=("99396",)), [ONE_PREVENTIVE_PER_YEAR]) == []
    over = tracker.check_and_add(claim(date(2025, 12, 31), codes=("99213", "99396")), [ONE_PREVENTIVE_PER_YEAR])
    assert [(o["line"], o["code"], o["prior_count"]) for o in over] == [(2, "99396", 1)]


def test_preventive_visit_365_days_later_is_within_the_limit():
    from scrubber.config import FrequencyTracker

    tracker = FrequencyTracker()
    tracker.check_and_add(claim(date(2025, 1, 1), codes=("99396",)), [ONE_PREVENTIVE_PER_YEAR])
    assert tracker.check_and_add(claim(date(2026, 1, 1), codes=("99396",)), [ONE_PREVENTIVE_PER_YEAR]) == []


def test_other_members_and_other_codes_do_not_count():
    from scrubber.config import FrequencyTracker

    tracker = FrequencyTracker()
    tracker.check_and_add(claim(date(2025, 1, 1), codes=("99396",), member_id="MADEUP-A"), [ONE_PREVENTIVE_PER_YEAR])
    assert tracker.check_and_add(claim(date(2025, 2, 1), codes=("99396",), member_id="MADEUP-B"), [ONE_PREVENTIVE_PER_YEAR]) == []
    assert tracker.check_and_add(claim(date(2025, 2, 1), codes=("99213",), member_id="MADEUP-A"), [ONE_PREVENTIVE_PER_YEAR]) == []


def test_seeded_history_counts_and_value_set_names_use_the_resolver():
    from scrubber.config import FrequencyTracker

    limit = {"procedures": "made-up-preventive-set", "max": 2, "per_days": 30}
    tracker = FrequencyTracker()
    tracker.seed("MADEUP-A", limit, [date(2025, 3, 1), date(2025, 3, 10)])
    resolve = lambda name, code: name == "made-up-preventive-set" and code == "99396"  # noqa: E731
    over = tracker.check_and_add(claim(date(2025, 3, 20), codes=("99396",), member_id="MADEUP-A"), [limit], resolve)
    assert len(over) == 1 and over[0]["window_start"] == "2025-02-19"
    assert tracker.check_and_add(claim(date(2025, 4, 9), codes=("99396",), member_id="MADEUP-B"), [limit], resolve) == []


def test_claim_context_combines_profile_params_and_coverage(profiles):
    from scrubber.config import claim_context
    from scrubber.fields.eligibility import EligibilityIndex
    from scrubber.model import CoverageSpan

    index = EligibilityIndex([CoverageSpan(member_id="1EG4TE5MK73", payer_id="MADE-UP-P1", start=date(2025, 1, 1))], ["MADE-UP-P1"])
    c = claim(date(2025, 3, 15), created=date(2025, 4, 1))
    ctx = claim_context(profiles, c, forced="medicare", eligibility=index)
    assert ctx.profile_id == "medicare" and ctx.coverage["status"] == "active"
    assert ctx.params["derived.filed_late"] is False and ctx.params["derived.member_id_valid"] is True
    assert claim_context(profiles, c).coverage is None


# --- the payer-differences fixture: medicare vs commercial-example ---------------------------

def test_payer_differences_fixture_matches_its_table(profiles):
    import json
    from pathlib import Path

    from scrubber.config import FrequencyTracker
    from scrubber.model.serialize import claim_from_dict

    path = Path(__file__).resolve().parent.parent / "fixtures" / "payers" / "made-up-payer-differences.json"
    claims = {c.claim_id: c for c in (claim_from_dict(d) for d in json.loads(path.read_text())["claims"])}
    med = {cid: payer_facts(c, profiles["medicare"].param_values()) for cid, c in claims.items()}
    com = {cid: payer_facts(c, profiles["commercial-example"].param_values()) for cid, c in claims.items()}
    assert (med["MADE-UP-PAYER-FILED-DAY-100"]["filed_late"], com["MADE-UP-PAYER-FILED-DAY-100"]["filed_late"]) == (False, True)
    assert (med["MADE-UP-PAYER-FILED-MONTH-13"]["filed_late"], com["MADE-UP-PAYER-FILED-MONTH-13"]["filed_late"]) == (True, True)
    assert (med["MADE-UP-PAYER-COMMERCIAL-ID"]["member_id_valid"], com["MADE-UP-PAYER-COMMERCIAL-ID"]["member_id_valid"]) == (False, True)
    assert (med["MADE-UP-PAYER-FILED-DAY-100"]["member_id_valid"], com["MADE-UP-PAYER-FILED-DAY-100"]["member_id_valid"]) == (True, False)
    assert (med["MADE-UP-PAYER-MRI-NO-AUTH"]["prior_auth_missing"], com["MADE-UP-PAYER-MRI-NO-AUTH"]["prior_auth_missing"]) == (None, True)
    assert (med["MADE-UP-PAYER-SEX-AFTER-2024-10"]["sex_edits_active"], com["MADE-UP-PAYER-SEX-AFTER-2024-10"]["sex_edits_active"]) == (False, True)
    for pid, expect in (("medicare", [[], []]), ("commercial-example", [[], [1]])):
        tracker = FrequencyTracker()
        limits = profiles[pid].param_values().get("frequency_limits", [])
        got = [[o["line"] for o in tracker.check_and_add(claims[cid], limits)] for cid in ("MADE-UP-PAYER-PREVENTIVE-1", "MADE-UP-PAYER-PREVENTIVE-2")]
        assert got == expect, pid


def test_payer_fields_read_the_facts_the_context_computed(profiles, monkeypatch):
    """One computation of the payer facts per claim: ``Profile.context`` makes the ``derived.*``
    keys and the payer fields read them (the run's filing date included); only a context without
    them (a rule's test case) computes them, with the same function."""
    import scrubber.fields.payer_params as pp

    c = claim(date(2024, 3, 1))
    ctx = profiles["medicare"].context(claim=c, filed=date(2025, 3, 2))

    def no_second_computation(*args, **kwargs):
        raise AssertionError("payer facts computed again")

    real = pp.payer_facts
    monkeypatch.setattr(pp, "payer_facts", no_second_computation)
    facts = pp.derived_payer_facts(c, ctx.params)
    assert facts["filed_late"] is True and facts["timely_filing_deadline"] == "2025-03-01"
    assert facts == {name: ctx.params["derived." + name] for name in pp.FACT_NAMES}
    monkeypatch.setattr(pp, "payer_facts", real)
    raw = {"timely_filing": MEDICARE_12_MONTHS, "derived.filing_date": "2025-03-02"}
    assert pp.derived_payer_facts(c, raw) == real(c, raw, date(2025, 3, 2))
