"""Eligibility: 271 / 834 / CSV readers and the per-claim coverage fact, one outcome per rule."""
import json
from datetime import date
from pathlib import Path

import pytest

from scrubber.model import Claim, Payer, Person, ServiceLine, Source
from scrubber.readers.eligibility import load_eligibility

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "eligibility"
CSV = str(FIX / "made-up-eligibility.csv")
X271 = str(FIX / "made-up-271.x12")
X834 = str(FIX / "made-up-834.x12")


def claim(member_id, payer_id, dos, *, last="DOE", first="JANE", dob=None, sbr01="P", patient=None, dates=None):
    """A MADE-UP claim: subscriber (and patient) with one line per date of service."""
    subscriber = Person(last_name=last, first_name=first, member_id=member_id, birth_date=dob, relationship="18")
    dates = dates or [dos]
    lines = tuple(ServiceLine(number=i + 1, code="99213", date_from=d, date_to=d) for i, d in enumerate(dates))
    return Claim(
        claim_id="MADE-UP-ELIG-1", kind="837P", source=Source("made-up.json"), service_from=min(dates),
        service_to=max(dates), subscriber=subscriber, patient=patient or subscriber,
        payer=Payer(name="MADE UP", payer_id=payer_id), payer_responsibility=sbr01, lines=lines,
    )


@pytest.fixture(scope="module")
def csv_index():
    index, errors = load_eligibility([CSV])
    assert errors == []
    return index


# --- CSV: one test per eligibility outcome --------------------------------------------------

def test_active_member_on_date_of_service(csv_index):
    cov = csv_index.check(claim("MADEUP0001", "MADE-UP-COMM01", date(2025, 6, 1), dob=date(1980, 4, 2)))
    assert cov["status"] == "active" and cov["active_on_dos"] is True
    assert cov["coverage_gap"] is False and cov["payer_matches"] is True
    assert cov["name_matches"] is True and cov["birth_date_matches"] is True
    assert cov["primary_conflict"] is False
    assert cov["span_start"] == "2025-01-01" and cov["span_end"] is None
    assert cov["span_source"].endswith("made-up-eligibility.csv:2")


def test_coverage_ended_before_date_of_service(csv_index):
    cov = csv_index.check(claim("MADEUP0002", "MADE-UP-COMM01", date(2025, 4, 1), last="ROE", first="RICHARD"))
    assert cov["status"] == "ended" and cov["coverage_gap"] is True
    assert cov["span_end"] == "2025-03-31" and cov["dos"] == "2025-04-01"


def test_last_day_of_coverage_is_still_covered(csv_index):
    cov = csv_index.check(claim("MADEUP0002", "MADE-UP-COMM01", date(2025, 3, 31), last="ROE", first="RICHARD"))
    assert cov["status"] == "active"


def test_coverage_not_started_on_date_of_service(csv_index):
    cov = csv_index.check(claim("MADEUP0003", "MADE-UP-COMM01", date(2025, 8, 31), last="POE", first="ANNA"))
    assert cov["status"] == "not-started" and cov["coverage_gap"] is True
    assert cov["span_start"] == "2025-09-01"


def test_gap_on_a_later_line_date_is_found(csv_index):
    c = claim("MADEUP0002", "MADE-UP-COMM01", None, last="ROE", first="RICHARD", dates=[date(2025, 3, 30), date(2025, 4, 2)])
    cov = csv_index.check(c)
    assert cov["status"] == "ended" and cov["dos"] == "2025-04-02"


def test_member_not_on_file_for_a_payer_the_file_covers(csv_index):
    cov = csv_index.check(claim("MADEUP9999", "MADE-UP-COMM01", date(2025, 6, 1)))
    assert cov["status"] == "not-on-file" and cov["not_on_file"] is True
    assert cov["on_file"] is False and cov["payer_covered"] is True


def test_file_silent_about_claims_payer_and_member_gives_none(csv_index):
    assert csv_index.check(claim("MADEUP9999", "MADE-UP-UNLISTED", date(2025, 6, 1))) is None


def test_payer_on_claim_differs_from_payer_of_active_span(csv_index):
    cov = csv_index.check(claim("MADEUP0004", "MADE-UP-COMM01", date(2025, 6, 1), last="LOE", first="MARK"))
    assert cov["payer_matches"] is False and cov["active_payer_id"] == "MADE-UP-OTHER9"
    assert cov["status"] == "not-on-file"


def test_patient_name_disagrees_with_file(csv_index):
    cov = csv_index.check(claim("MADEUP0001", "MADE-UP-COMM01", date(2025, 6, 1), last="SMITH", first="JANE"))
    assert cov["name_matches"] is False and cov["status"] == "active"


def test_birth_date_disagrees_with_file(csv_index):
    cov = csv_index.check(claim("MADEUP0001", "MADE-UP-COMM01", date(2025, 6, 1), dob=date(1980, 4, 3)))
    assert cov["name_matches"] is True and cov["birth_date_matches"] is False


def test_claim_billed_primary_while_file_shows_another_payer_primary(csv_index):
    c = claim("MADEUP0005", "MADE-UP-COMM01", date(2025, 6, 1), last="MOE", first="LINDA")
    cov = csv_index.check(c)
    assert cov["status"] == "active" and cov["other_payer_primary"] is True
    assert cov["primary_conflict"] is True
    secondary = csv_index.check(claim("MADEUP0005", "MADE-UP-COMM01", date(2025, 6, 1), last="MOE", first="LINDA", sbr01="S"))
    assert secondary["primary_conflict"] is False


def test_member_id_compares_without_dashes_and_case(csv_index):
    cov = csv_index.check(claim("madeup-0001", "MADE-UP-COMM01", date(2025, 6, 1)))
    assert cov["status"] == "active"


def test_dependent_relationship_word_in_csv(csv_index):
    sub = Person(last_name="NOE", first_name="PAT", member_id="MADEUP0006", relationship="18")
    child = Person(last_name="NOE", first_name="CARL", birth_date=date(2010, 2, 14), relationship="19")
    c = claim("MADEUP0006", "MADE-UP-COMM01", date(2025, 6, 1), patient=child)
    c = Claim(**{**{f: getattr(c, f) for f in c.__dataclass_fields__}, "subscriber": sub})
    cov = csv_index.check(c)
    assert cov["name_matches"] is True and cov["birth_date_matches"] is True


def test_coverage_dict_is_json_ready(csv_index):
    cov = csv_index.check(claim("MADEUP0002", "MADE-UP-COMM01", date(2025, 4, 1)))
    assert json.loads(json.dumps(cov)) == cov


# --- 271 --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index_271():
    index, errors = load_eligibility([X271])
    assert errors == []
    return index


def test_271_subscriber_active_within_plan_dates(index_271):
    cov = index_271.check(claim("MADEUP1001", "MADE-UP-COMM01", date(2025, 12, 31), last="DOE", first="JOHN", dob=date(1970, 3, 12)))
    assert cov["status"] == "active" and cov["plan"] == "MADE UP GOLD PLAN"
    assert cov["birth_date_matches"] is True
    assert "segment 16 (2110C/EB)" in cov["span_source"]


def test_271_plan_end_dtp_347_ends_coverage(index_271):
    cov = index_271.check(claim("MADEUP1001", "MADE-UP-COMM01", date(2026, 1, 1), last="DOE", first="JOHN"))
    assert cov["status"] == "ended" and cov["span_end"] == "2025-12-31"


def test_271_dependent_with_eb_6_is_inactive(index_271):
    sub = Person(last_name="DOE", first_name="JOHN", member_id="MADEUP1001", relationship="18")
    child = Person(last_name="DOE", first_name="TIM", birth_date=date(2015, 3, 9), relationship="19")
    base = claim("MADEUP1001", "MADE-UP-COMM01", date(2025, 6, 1), patient=child)
    cov = index_271.check(Claim(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, "subscriber": sub}))
    assert cov["name_matches"] is True and cov["birth_date_matches"] is True
    # the subscriber's own EB*1 is active, but this patient is the dependent, whose coverage is inactive
    assert cov["status"] == "inactive" and cov["coverage_gap"] is True


def test_271_other_payer_primary_from_2120_prp(index_271):
    cov = index_271.check(claim("MADEUP1002", "MADE-UP-COMM01", date(2025, 6, 1), last="ROE", first="ALICE"))
    assert cov["status"] == "active" and cov["other_payer_primary"] is True and cov["primary_conflict"] is True


def test_271_inactive_only_member_has_coverage_gap(tmp_path):
    text = Path(X271).read_text().replace("EB*1**30**MADE UP GOLD PLAN", "EB*6**30**MADE UP GOLD PLAN")
    path = tmp_path / "made-up-inactive.271"
    path.write_text(text)
    index, errors = load_eligibility([str(path)])
    cov = index.check(claim("MADEUP1001", "MADE-UP-COMM01", date(2025, 6, 1), last="DOE", first="JOHN"))
    assert errors == [] and cov["status"] == "inactive" and cov["coverage_gap"] is True


# --- 834 --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index_834():
    index, errors = load_eligibility([X834])
    assert errors == []
    return index


def test_834_enrolled_member_is_active_and_cob_primary_conflicts(index_834):
    cov = index_834.check(claim("MADEUP2001", "MADE-UP-ENR05", date(2025, 6, 1), last="KOE", first="SAM", dob=date(1985, 1, 1)))
    assert cov["status"] == "active" and cov["plan"] == "MADE UP PPO"
    assert cov["birth_date_matches"] is True
    assert cov["other_payer_primary"] is True and cov["primary_conflict"] is True


def test_834_terminated_member_ended_after_dtp_349(index_834):
    ok = index_834.check(claim("MADEUP2002", "MADE-UP-ENR05", date(2025, 2, 28), last="LOE", first="PAT"))
    late = index_834.check(claim("MADEUP2002", "MADE-UP-ENR05", date(2025, 3, 1), last="LOE", first="PAT"))
    assert ok["status"] == "active" and late["status"] == "ended" and late["span_end"] == "2025-02-28"


def test_834_unknown_member_not_on_file(index_834):
    assert index_834.check(claim("MADEUP2999", "MADE-UP-ENR05", date(2025, 6, 1)))["status"] == "not-on-file"


def test_several_files_combine(tmp_path):
    index, errors = load_eligibility([CSV, X271, X834])
    assert errors == [] and len(index) == 15
    assert index.covered_payers == {"MADE-UP-COMM01", "MADE-UP-OTHER9", "MADE-UP-ENR05"}


# --- bad input: located, never a traceback -------------------------------------------------

def test_broken_csv_rows_reported_with_lines_and_good_rows_kept():
    index, errors = load_eligibility([str(FIX / "made-up-broken.csv")])
    by_line = {e.segment: e.message for e in errors}
    assert set(by_line) == {1, 3, 4, 5, 6}
    assert "group_number" in by_line[1] and "member_id is empty" in by_line[3]
    assert "YYYY-MM-DD" in by_line[4] and "before coverage_start" in by_line[5] and "3 fields" in by_line[6]
    assert all(e.kind == "eligibility" and e.path.endswith("made-up-broken.csv") for e in errors)
    assert len(index) == 1


def test_broken_271_reports_segments_and_keeps_nothing_wrong():
    index, errors = load_eligibility([str(FIX / "made-up-broken.271.x12")])
    assert [e.segment for e in errors] == [11, 13]
    assert "19701399" in errors[0].message and "'2025'" in errors[1].message
    assert len(index) == 0  # the EB whose dates could not be read gives no span rather than an open one


@pytest.mark.parametrize("content,expect", [
    (b"", "empty"),
    (b"\x00\x01\x02garbage", "not a 271, an 834 or an eligibility CSV"),
    (b"name,dob\nX,1\n", "not a 271, an 834"),
    (b"member_id,plan\nX,Y\n", "lacks payer_id, coverage_start, coverage_end"),
    (b"ISA*00*short", "ISA segment is incomplete"),
])
def test_unreadable_files_are_errors_not_tracebacks(tmp_path, content, expect):
    path = tmp_path / "made-up-bad"
    path.write_bytes(content)
    index, errors = load_eligibility([str(path)])
    assert len(index) == 0 and len(errors) == 1 and expect in errors[0].message


def test_missing_file_is_an_error():
    index, errors = load_eligibility(["/no/such/made-up.csv"])
    assert len(errors) == 1 and "cannot read" in errors[0].message


# --- the conformance corpus -----------------------------------------------------------------

def test_corpus_271_files_read_without_error(corpus_dir):
    files = sorted(p for p in corpus_dir.iterdir() if "271" in p.name)
    assert len(files) >= 9
    read_any = 0
    for path in files:
        index, errors = load_eligibility([str(path)])
        if path.name.endswith("x270.txt"):  # a 270 request filed beside its 271: named as such, not misread
            assert [e.message.split(": ", 1)[1] for e in errors] == [
                "transaction ST01 270 is not an eligibility response (271) or enrollment file (834); skipped"]
            continue
        assert errors == [], (path.name, errors)
        read_any += len(index)
    assert read_any >= 8


def test_corpus_271_subscriber_example_values(corpus_dir):
    path = corpus_dir / "LinuxForHealth-x12__271_005010X279A1__subscriber-health-benefit-check.271.txt"
    index, _ = load_eligibility([str(path)])
    c = claim("123456789", "841610001", date(2006, 6, 1), last="SMITH", first="JOHN", dob=date(1963, 5, 19))
    cov = index.check(c)
    assert cov["status"] == "active" and cov["plan"] == "GOLD 123 PLAN" and cov["span_start"] == "2006-01-01"
    assert index.check(claim("123456789", "841610001", date(2005, 12, 31)))["status"] == "not-started"


def test_claim_without_payer_id_is_checked_against_the_member_spans(csv_index):
    cov = csv_index.check(claim("MADEUP0002", None, date(2025, 4, 1), last="ROE", first="RICHARD"))
    assert cov["status"] == "ended" and cov["payer_matches"] is None


def test_834_member_level_eligibility_dates_fill_missing_hd_dates(tmp_path):
    text = Path(X834).read_text().replace("DTP*349*D8*20250228~\n", "").replace(
        "INS*Y*18*024*07*A***TE~\nREF*0F*MADEUP2002~\n", "INS*Y*18*024*07*A***TE~\nREF*0F*MADEUP2002~\nDTP*357*D8*20250131~\n")
    path = tmp_path / "made-up-357.834"
    path.write_text(text)
    index, errors = load_eligibility([str(path)])
    cov = index.check(claim("MADEUP2002", "MADE-UP-ENR05", date(2025, 2, 1), last="LOE", first="PAT"))
    assert errors == [] and cov["status"] == "ended" and cov["span_end"] == "2025-01-31"


# --- robustness: damaged files never raise -----------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_SOURCES = [Path(X271).read_bytes(), Path(X834).read_bytes(), Path(CSV).read_bytes()]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(which=st.integers(0, 2), cut=st.integers(0, 4000), drop=st.integers(0, 60), junk=st.binary(max_size=12))
def test_damaged_eligibility_files_are_reported_never_raised(tmp_path_factory, which, cut, drop, junk):
    data = _SOURCES[which]
    sep = b"~" if which < 2 else b"\n"
    parts = data.split(sep)
    if drop < len(parts):
        parts[drop] = junk
    damaged = sep.join(parts)[: max(cut, 4)]
    path = tmp_path_factory.mktemp("damaged") / "made-up-damaged"
    path.write_bytes(damaged)
    index, errors = load_eligibility([str(path)])  # must not raise
    for e in errors:
        assert e.kind == "eligibility" and e.path == str(path) and "internal error" not in e.message


@pytest.mark.parametrize("last,first,agree", [
    ("Doe", "Jane", True),
    ("DOE JR", "JANE", True),
    ("Doé", "Jane Ann", True),
    ("DOE", "J", False),
    ("DOES", "JANE", False),
])
def test_name_comparison_ignores_case_accents_suffixes_and_middle_names(csv_index, last, first, agree):
    cov = csv_index.check(claim("MADEUP0001", "MADE-UP-COMM01", date(2025, 6, 1), last=last, first=first))
    assert cov["name_matches"] is agree


# --- the JSON claims fixture: one claim per eligibility outcome --------------------------------

EXPECTED = {  # claim id -> (field, value) the eligibility rule for that outcome tests
    "MADE-UP-ELIG-ENDED": ("status", "ended"),
    "MADE-UP-ELIG-NOT-STARTED": ("status", "not-started"),
    "MADE-UP-ELIG-NOT-ON-FILE": ("not_on_file", True),
    "MADE-UP-ELIG-OTHER-PAYER": ("payer_matches", False),
    "MADE-UP-ELIG-NAME": ("name_matches", False),
    "MADE-UP-ELIG-BIRTH-DATE": ("birth_date_matches", False),
    "MADE-UP-ELIG-PRIMARY": ("primary_conflict", True),
}
RULE_FIELDS = {"coverage_gap": True, "not_on_file": True, "payer_matches": False, "name_matches": False,
               "birth_date_matches": False, "primary_conflict": True}


def test_claims_fixture_has_exactly_its_named_outcome(csv_index):
    from scrubber.model.serialize import claim_from_dict

    doc = json.loads((FIX / "made-up-eligibility-claims.json").read_text())
    seen = set()
    for raw in doc["claims"]:
        c = claim_from_dict(raw)
        cov = csv_index.check(c)
        firing = {f for f, bad in RULE_FIELDS.items() if cov[f] == bad}
        if c.claim_id == "MADE-UP-ELIG-ACTIVE":
            assert firing == set() and cov["status"] == "active"
        else:
            field, value = EXPECTED[c.claim_id]
            assert cov[field] == value, c.claim_id
            expected = {field} if field != "status" else {"coverage_gap"}
            if c.claim_id == "MADE-UP-ELIG-OTHER-PAYER":
                expected = {"payer_matches", "not_on_file"}  # not on file with the claim's payer, active with another
            assert firing == expected, (c.claim_id, firing)
        seen.add(c.claim_id)
    assert seen == set(EXPECTED) | {"MADE-UP-ELIG-ACTIVE"}


def test_every_corpus_file_is_read_or_named_never_raised(corpus_dir):
    """837s, 835s, 277s and the broken-on-purpose files are not eligibility files: each gets a clear error."""
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.name != "MANIFEST.json")
    assert len(files) >= 90
    for path in files:
        index, errors = load_eligibility([str(path)])
        assert all("internal error" not in e.message for e in errors), path.name
        if "271" not in path.name:
            assert len(index) == 0 and errors, path.name


@pytest.mark.parametrize("header,sep", [
    ("Member ID;Payer ID;Plan;Coverage Start;Coverage End", ";"),
    ("member_id\tpayer_id\tplan\tcoverage_start\tcoverage_end", "\t"),
    ('"MEMBER_ID","PAYER_ID","PLAN","COVERAGE_START","COVERAGE_END"', ","),
])
def test_spreadsheet_style_csv_headers_and_delimiters_are_read(tmp_path, header, sep):
    path = tmp_path / "made-up-export.csv"
    row = sep.join(["MADEUP7001", "MADE-UP-COMM01", "EXAMPLE PPO", "2025-01-01", "2025-03-31"])
    path.write_text(f"\ufeff{header}\r\n{row}\r\n")
    index, errors = load_eligibility([str(path)])
    assert errors == [] and len(index) == 1
    assert index.check(claim("MADEUP7001", "MADE-UP-COMM01", date(2025, 4, 1)))["status"] == "ended"


def test_271_batches_with_nul_padding_and_a_second_interchange_of_other_delimiters(tmp_path):
    """The eligibility reader splits segments with the 837 reader's tokenizer: NUL block padding
    between interchanges is not data, and a second interchange may declare its own delimiters."""
    from scrubber.readers.eligibility import read_file

    one = (FIX / "made-up-271.x12").read_text()
    spans_one, payers_one, errors_one = read_file(str(FIX / "made-up-271.x12"))
    assert spans_one and not errors_one
    other = one.replace("*", "|").replace("~", "!")  # made-up variant: '|' elements, '!' terminators
    batch = tmp_path / "made-up-two-interchanges.271"
    batch.write_text(one + "\x00" * 64 + other + "\x1a")
    spans, payers, errors = read_file(str(batch))
    assert errors == []
    assert len(spans) == 2 * len(spans_one) and payers == payers_one
    assert [s.member_id for s in spans] == [s.member_id for s in spans_one] * 2
