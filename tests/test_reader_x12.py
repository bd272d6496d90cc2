"""The X12 reader on its own fixtures: layouts, loops, locations, raw segments, structure findings."""
import gzip
import io
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.readers import iter_records, read_stream

FIX = ROOT / "fixtures" / "x12"


def records(*paths):
    return list(iter_records([str(p) for p in paths]))


def claims(*paths):
    return [r for r in records(*paths) if isinstance(r, ClaimRecord)]


def by_id(recs):
    return {r.claim_id: r.claim for r in recs}


def rule_ids(rec):
    return sorted(f.rule_id for f in rec.findings)


def test_clean_837p_reads_every_value_with_its_location():
    recs = claims(FIX / "837p-two-claims.837")
    assert [r.claim_id for r in recs] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert all(r.findings == () and r.error is None for r in recs)
    c = recs[0].claim
    assert c.kind == "837P" and c.source.version == "005010X222A1"
    assert c.source.segment == 24 and c.locs["claim_id"].segment == 24
    assert c.total_charge == Decimal("185.00") and c.locs["total_charge"].path == "2300/CLM02"
    assert (c.place_of_service, c.facility_code_qualifier, c.frequency) == ("11", "B", "1")
    assert c.created == date(2025, 3, 1) and c.onset_date == date(2025, 2, 10)
    assert c.prior_authorization == "MADEUPAUTH1"
    assert [(d.position, d.code, d.qualifier) for d in c.diagnoses] == [(1, "M25561", "ABK"), (2, "E119", "ABF"), (3, "I10", "ABF")]
    assert c.diagnoses[1].locs["code"].path == "2300/HI[1]02-2"
    billing = c.provider("billing")
    assert billing.npi == "1234567893" and billing.taxonomy == "207Q00000X" and billing.tax_id == "123456789"
    assert billing.locs["npi"].path == "2010AA/NM109" and billing.address.city == "SPRINGFIELD"
    assert c.provider("pay_to").address.line1 == "PO BOX 100"
    assert c.provider("rendering").npi == "1987654328" and c.provider("rendering").locs["npi"].path == "2310B/NM109"
    l1, l2, l3 = c.lines
    assert (l1.code, l1.code_qualifier, l1.modifiers, l1.charge, l1.units, l1.dx_pointers) == ("99213", "HC", ("25",), Decimal("110.00"), Decimal("1"), (1, 2, 3))
    assert l2.modifiers == ("RT",) and l2.locs["code"].path == "2400[2]/SV101-2"
    assert l3.locs["date_from"].path == "2400[3]/DTP03" and l3.date_from == date(2025, 2, 15)
    assert (l3.ndc, l3.ndc_quantity, l3.ndc_unit) == ("00000000001", Decimal("1"), "ML")
    assert l3.provider("rendering").npi == "1456789019"
    assert l3.provider("rendering").locs["npi"].path == "2400[3]/2420A/NM109"
    assert (c.service_from, c.service_to) == (date(2025, 2, 14), date(2025, 2, 15))
    # No 2000C: the patient is the subscriber.
    assert c.patient == c.subscriber and c.patient.relationship == "18" and c.patient.birth_date == date(1980, 2, 29)
    assert c.payer.payer_id == "99901" and c.payer_responsibility == "P" and c.claim_filing_indicator == "CI"


def test_dependent_patient_and_secondary_payer_loops():
    c = by_id(claims(FIX / "837p-two-claims.837"))["MADE-UP-P2"]
    assert c.subscriber.first_name == "MORGAN" and c.patient.first_name == "RILEY"
    assert c.patient.relationship == "19" and c.patient.locs["relationship"].path == "2000C/PAT01"
    assert c.patient.birth_date == date(2015, 6, 7)
    (other,) = c.other_payers
    assert (other.responsibility, other.relationship, other.paid_amount) == ("P", "01", Decimal("60.00"))
    assert other.payer.payer_id == "99903" and other.payer.locs["payer_id"].path == "2320[1]/2330B/NM109"
    assert other.subscriber.member_id == "MADEUP0003" and other.adjudication_date == date(2025, 2, 20)
    assert (c.lines[0].date_from, c.lines[0].date_to) == (date(2025, 2, 5), date(2025, 2, 6))


def test_837i_revenue_codes_poa_and_code_lists():
    (rec,) = claims(FIX / "837i-inpatient.837")
    assert rec.findings == ()
    c = rec.claim
    assert c.kind == "837I" and c.place_of_service == "11" and c.facility_code_qualifier == "A"
    assert (c.statement_from, c.statement_to, c.admission_date) == (date(2025, 1, 3), date(2025, 1, 6), date(2025, 1, 3))
    assert c.discharge_date is None  # DTP*096 is an hour (TM), not a date
    assert [(d.code, d.poa) for d in c.diagnoses] == [("I214", "Y"), ("N179", "N"), ("E871", "Y"), ("I10", "W")]
    assert c.diagnoses[3].locs["poa"].path == "2300/HI[2]03-9"
    assert [(e.qualifier, e.code) for e in c.condition_codes] == [("BG", "39")]
    assert c.occurrence_codes[0].date_from == date(2025, 1, 3)
    assert c.value_codes[0].amount == Decimal("3")
    assert [(l.revenue_code, l.code, l.unit_basis, l.units) for l in c.lines] == [
        ("0120", None, "DA", Decimal("3")), ("0300", "85025", "UN", Decimal("3")), ("0730", "93005", "UN", Decimal("1"))]
    assert c.lines[1].locs["revenue_code"].path == "2400[2]/SV201"
    assert c.provider("attending").npi == "1765432103" and c.payer_claim_control_number == "MADEUPORIG1"
    assert [(p.qualifier, p.code, p.date_from) for p in c.procedure_codes] == [("BBR", "02703ZZ", date(2025, 1, 3))]
    assert c.procedure_codes[0].locs["code"].path == "2300/HI[3]01-2"
    assert (c.admission_type, c.admission_source, c.patient_status) == ("1", "7", "01")
    assert c.locs["patient_status"].path == "2300/CL103"


def semantic(c):
    """A claim without where it came from, to compare the same claims in different layouts."""
    return (c.claim_id, c.total_charge, c.diagnoses, c.lines, c.patient, c.subscriber, c.other_payers, c.providers)


@pytest.mark.parametrize("name", ["837p-custom-delimiters-crlf.837", "837p-one-line-bom.837"])
def test_delimiters_and_line_layout_do_not_change_the_claims(name):
    base = claims(FIX / "837p-two-claims.837")
    other = claims(FIX / name)
    assert [r.findings for r in other] == [(), ()]
    assert [semantic(r.claim) for r in other] == [semantic(r.claim) for r in base]
    assert [r.claim.source.segment for r in other] == [r.claim.source.segment for r in base]


def test_custom_delimiters_are_taken_from_the_isa():
    raw = claims(FIX / "837p-custom-delimiters-crlf.837")[0].claim.raw
    assert (raw.element_sep, raw.component_sep, raw.repetition_sep, raw.segment_term) == ("|", ">", "!", "~")


def test_several_interchanges_with_their_own_delimiters():
    recs = records(FIX / "837-several-interchanges.837")
    assert not [r for r in recs if isinstance(r, RunError)]
    cs = [r.claim for r in recs]
    assert [c.claim_id for c in cs] == ["MADE-UP-P1", "MADE-UP-P2", "MADE-UP-I1", "MADE-UP-P1", "MADE-UP-P1", "MADE-UP-P2"]
    assert [c.kind for c in cs] == ["837P", "837P", "837I", "837P", "837P", "837P"]
    assert [(c.source.interchange, c.source.group, c.source.transaction) for c in cs][2:5] == [
        ("000000202", "202", "0002"), ("000000202", "203", "0003"), ("000000202", "203", "0001")]
    assert cs[2].raw.element_sep == "^" and cs[2].raw.segment_term == "'"
    assert cs[2].diagnoses[0].code == "I214"


def test_raw_claim_holds_the_segments_a_writer_needs():
    text = (FIX / "837p-two-claims.837").read_text()
    segs = [s.strip() for s in text.split("~") if s.strip()]
    c = by_id(claims(FIX / "837p-two-claims.837"))["MADE-UP-P2"]
    raw = c.raw
    assert raw.isa == segs[0] and raw.gs == segs[1]
    assert raw.header == tuple(segs[2:7])
    assert raw.billing[0] == "HL*1**20*1" and raw.billing[-1] == "N4*SPRINGFIELD*IL*62702"
    assert raw.subscriber[0] == "HL*3*1*22*1" and raw.patient[0] == "HL*4*3*23*0"
    assert raw.claim[0].startswith("CLM*MADE-UP-P2") and raw.claim[-1] == "DTP*472*RD8*20250205-20250206"
    # Everything the claim is made of, in file order, appears in the raw parts.
    assert set(raw.header + raw.billing + raw.subscriber + raw.patient + raw.claim) <= set(segs)


def test_broken_file_gives_located_findings_and_keeps_every_claim():
    recs = records(FIX / "837p-broken.837")
    cs = {r.claim_id: r for r in recs if isinstance(r, ClaimRecord)}
    assert set(cs) == {"MADE-UP-P1", "MADE-UP-P2"} and all(r.claim is not None for r in cs.values())
    p1 = cs["MADE-UP-P1"]
    found = {f.rule_id: f for f in p1.findings}
    assert found["X12-AMOUNT"].location_path == "2300/CLM02" and found["X12-AMOUNT"].location_segment == 24
    assert p1.claim.total_charge is None
    assert found["X12-DATE"].location_path == "2400[3]/DTP03" and found["X12-DATE"].line == 3
    assert found["X12-SEG-UNKNOWN"].location_segment == 42
    assert all(f.category == "structure" and f.severity in ("error", "warning") for f in p1.findings)
    # Transaction-level findings reach every claim of the transaction.
    for r in cs.values():
        assert {"X12-SE01", "X12-CTRL-ST"} <= set(rule_ids(r))
    assert "X12-REQ-SEG" in rule_ids(cs["MADE-UP-P2"])
    errors = [r for r in recs if isinstance(r, RunError)]
    assert [(e.kind, e.message.split(":")[0], e.segment) for e in errors] == [("structure", "X12-GE01", 65), ("structure", "X12-CTRL-ISA", 66)]


def test_004010_claims_are_read_with_a_version_warning(tmp_path):
    text = (FIX / "837p-two-claims.837").read_text().replace("005010X222A1", "004010X098A1").replace("*00501*", "*00401*")
    f = tmp_path / "old.837"
    f.write_text(text)
    recs = claims(f)
    assert len(recs) == 2 and all(r.claim is not None for r in recs)
    for r in recs:
        (w,) = [x for x in r.findings if x.rule_id == "X12-VERSION"]
        assert w.severity == "warning" and "004010X098A1" in w.message


def test_gzip_stdin_directories_and_dotfiles(tmp_path):
    data = (FIX / "837p-two-claims.837").read_bytes()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.837.gz").write_bytes(gzip.compress(data))
    (tmp_path / "a.837").write_bytes(data)
    (tmp_path / ".hidden.837").write_bytes(data)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.837").write_bytes(data)
    recs = claims(tmp_path)
    assert [r.source.path for r in recs] == [str(tmp_path / "a.837")] * 2 + [str(tmp_path / "sub" / "b.837.gz")] * 2
    assert [r.claim_id for r in list(read_stream(io.BytesIO(gzip.compress(data)), "-"))] == ["MADE-UP-P1", "MADE-UP-P2"]
    out = subprocess.run([sys.executable, "-c", "from scrubber.readers import iter_records; print(sum(1 for r in iter_records(['-']) if hasattr(r, 'claim')))"],
                         input=data, capture_output=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == b"2"


@pytest.mark.parametrize("content,expect", [
    (b"", "empty"),
    (b"hello, world\n", "not an X12 837 or JSON"),
    (b"\x1f\x8b\x08garbage", "gzip"),
])
def test_unreadable_files_are_run_errors(tmp_path, content, expect):
    f = tmp_path / "x.837"
    f.write_bytes(content)
    (err,) = records(f)
    assert isinstance(err, RunError) and err.kind == "unreadable-file" and expect in err.message and err.path == str(f)


def test_missing_file_is_a_run_error(tmp_path):
    (err,) = records(tmp_path / "nope.837")
    assert err.kind == "unreadable-file" and "cannot open" in err.message


def test_non_837_transaction_is_reported_and_skipped(tmp_path):
    text = (FIX / "837p-two-claims.837").read_text().replace("ST*837*0001", "ST*835*0001")
    f = tmp_path / "x.835"
    f.write_text(text)
    recs = records(f)
    errors = [r for r in recs if isinstance(r, RunError)]
    assert [r.kind for r in errors] == ["unsupported"] and "835" in errors[0].message
    # its CLM segments (a real 835 has none: this is a garbled 837) are listed as unreadable, never lost
    claims = [r for r in recs if isinstance(r, ClaimRecord)]
    assert [c.claim_id for c in claims] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert all(c.claim is None and "not 837" in c.error.message for c in claims)


def test_truncated_file_keeps_claims_and_says_so(tmp_path):
    text = (FIX / "837p-two-claims.837").read_text()
    cut = text[: text.index("LX*1~\nSV1*HC:99213*95.00")]
    f = tmp_path / "cut.837"
    f.write_text(cut)
    recs = records(f)
    cs = [r for r in recs if isinstance(r, ClaimRecord)]
    assert [r.claim_id for r in cs] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert all("X12-SE-MISSING" in rule_ids(r) for r in cs)
    assert {e.message.split(":")[0] for e in recs if isinstance(e, RunError)} == {"X12-GE-MISSING", "X12-IEA-MISSING"}


def test_claim_without_clm01_is_unreadable_with_its_segment(tmp_path):
    text = (FIX / "837p-two-claims.837").read_text().replace("CLM*MADE-UP-P2*", "CLM**")
    f = tmp_path / "x.837"
    f.write_text(text)
    cs = claims(f)
    bad = cs[1]
    assert bad.claim is None and bad.error.kind == "unreadable-claim" and bad.error.segment == bad.source.segment
    assert "CLM01" in bad.error.message


def test_a_huge_transaction_hands_claims_on_early_and_still_reports_its_errors(tmp_path, monkeypatch):
    import scrubber.readers.x12.transaction as transaction_mod

    monkeypatch.setattr(transaction_mod, "MAX_PENDING", 1)
    recs = records(FIX / "837p-broken.837")
    cs = [r for r in recs if isinstance(r, ClaimRecord)]
    assert [r.claim_id for r in cs] == ["MADE-UP-P1", "MADE-UP-P2"]
    errors = [e.message.split(":")[0] for e in recs if isinstance(e, RunError)]
    assert "X12-SE01" in errors and "X12-CTRL-ST" in errors  # no claim was still held at SE


def test_an_unknown_hl_level_after_claims_still_reaches_every_claim_of_its_transaction(tmp_path):
    # The reader hands claims on as it builds them once the SE is known; an HL whose level is
    # unknown is a transaction-level finding that may come after claims, so it must still
    # reach the claims built before it (made-up fixture, one HL edited in).
    text = (FIX / "837p-two-claims.837").read_text()
    se = text.index("SE*")
    text = text[:se] + "HL*5*4*99*0~\n" + text[se:]
    f = tmp_path / "x.837"
    f.write_text(text)
    cs = claims(f)
    assert [r.claim_id for r in cs] == ["MADE-UP-P1", "MADE-UP-P2"]
    for r in cs:
        hl = [x for x in r.findings if x.rule_id == "X12-HL"]
        assert hl and "'99'" in hl[0].message, r.claim_id
        assert "X12-SE01" in rule_ids(r)  # the SE count did not count the added HL


def test_claims_of_a_transaction_carry_its_se_findings_and_keep_their_segment_numbers(tmp_path):
    # The transaction's segments are held as texts until SE and read then: segment numbers,
    # the SE01 count and each claim's own findings must come out as if read one by one.
    text = (FIX / "837p-two-claims.837").read_text()
    import re as _re
    text = _re.sub(r"SE\*(\d+)\*0001", lambda m: f"SE*{int(m.group(1)) + 1}*0001", text)
    f = tmp_path / "x.837"
    f.write_text(text)
    cs = claims(f)
    good = claims(FIX / "837p-two-claims.837")
    for bad_rec, good_rec in zip(cs, good):
        assert "X12-SE01" in rule_ids(bad_rec) and "X12-SE01" not in rule_ids(good_rec)
        assert bad_rec.source.segment == good_rec.source.segment
        assert bad_rec.claim.locs["total_charge"] == good_rec.claim.locs["total_charge"]
        assert bad_rec.claim.lines[0].locs["code"] == good_rec.claim.lines[0].locs["code"]


def test_the_segment_that_opens_an_implicit_transaction_is_read_once(tmp_path):
    # No ST: the first segment after GS opens a transaction "as if an 837 began here". It was
    # once read twice (a duplicate finding, and one segment too many in the count).
    text = (FIX / "837p-two-claims.837").read_text().replace("ST*837*0001*005010X222A1~", "ZZZ*MADEUP~")
    f = tmp_path / "x.837"
    f.write_text(text)
    cs = claims(f)
    assert [r.claim_id for r in cs] == ["MADE-UP-P1", "MADE-UP-P2"]
    for r in cs:
        unknown = [x for x in r.findings if x.rule_id == "X12-SEG-UNKNOWN" and "ZZZ" in x.message]
        assert len(unknown) == 1, r.claim_id


def test_fast_constructors_build_the_same_objects_as_the_dataclasses():
    import dataclasses

    from scrubber import model as m
    from scrubber.readers.x12 import fast

    pairs = [(fast.new_claim, m.Claim), (fast.new_line, m.ServiceLine), (fast.new_diagnosis, m.Diagnosis),
             (fast.new_provider, m.Provider), (fast.new_person, m.Person), (fast.new_address, m.Address),
             (fast.new_payer, m.Payer), (fast.new_other_payer, m.OtherPayer), (fast.new_source, m.Source),
             (fast.new_code_entry, m.CodeEntry), (fast.new_raw, m.RawClaim)]
    for make, cls in pairs:
        kwargs = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)
                  if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        a, b = make(**kwargs), cls(**kwargs)
        assert type(a) is cls and a == b
        assert all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(cls)), cls.__name__
        # Every field given, each a different value: a value stored in another field's slot shows.
        every = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)}
        a = make(**every)
        assert [getattr(a, f.name) for f in dataclasses.fields(cls)] == list(every.values()), cls.__name__
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, dataclasses.fields(cls)[0].name, "x")


def test_claims_pickle_with_their_locations():
    import pickle

    for r in claims(FIX / "837p-two-claims.837") + claims(FIX / "837i-inpatient.837"):
        c = pickle.loads(pickle.dumps(r.claim))
        assert c == r.claim
        assert dict(c.locs) == dict(r.claim.locs)
        assert [dict(line.locs) for line in c.lines] == [dict(line.locs) for line in r.claim.lines]
        assert [dict(d.locs) for d in c.diagnoses] == [dict(d.locs) for d in r.claim.diagnoses]


def test_every_location_names_a_segment_holding_that_value():
    """Each loc's segment number points at a segment whose id matches the loc's path."""
    import re

    text = (FIX / "837p-two-claims.837").read_text()
    segs = [s.strip() for s in text.split("~") if s.strip()]

    def walk(obj):
        if hasattr(obj, "locs"):
            for field, loc in obj.locs.items():
                seg_id = re.search(r"([A-Z][A-Z0-9]{1,2})(?:\[\d+\])?\d\d(?:-\d+)?$", loc.path).group(1)
                assert segs[loc.segment - 1].split("*")[0] == seg_id, (field, loc)
        for f in getattr(obj, "__dataclass_fields__", {}):
            v = getattr(obj, f)
            for x in (v if isinstance(v, tuple) else (v,)):
                if hasattr(x, "__dataclass_fields__") and f != "raw":
                    walk(x)

    for r in claims(FIX / "837p-two-claims.837"):
        walk(r.claim)


def test_latin1_names_are_read_not_dropped(tmp_path):
    data = (FIX / "837p-two-claims.837").read_bytes().replace(b"NM1*QC*1*MADEUP*RILEY", b"NM1*QC*1*MADEUP*REN\xc9")
    f = tmp_path / "latin1.837"
    f.write_bytes(data)
    c = by_id(claims(f))["MADE-UP-P2"]
    assert c.patient.first_name == "REN\u00c9"


def test_the_callers_gc_settings_are_in_force_whenever_a_record_is_handed_over():
    import gc

    before = gc.get_threshold()
    seen = {gc.get_threshold() for _ in iter_records([str(FIX / "837-several-interchanges.837")])}
    assert seen == {before} and gc.get_threshold() == before


def test_read_stream_reads_with_young_collections_spaced_out_and_hands_over_with_the_callers_gc_settings():
    """read_stream, called directly (not through iter_records), reads with the reader's raised gen-0
    threshold (measured 1.8x faster in a process holding a run's tables) and puts the caller's
    threshold back before every record it hands over."""
    import gc

    from scrubber.readers import _READER_GEN0

    data = (FIX / "837-several-interchanges.837").read_bytes()

    class Probe(io.BytesIO):
        """A stream that notes the GC threshold in force whenever the reader pulls bytes from it."""

        def __init__(self, payload: bytes):
            super().__init__(payload)
            self.seen: list = []

        def read(self, n=-1):
            self.seen.append(gc.get_threshold()[0])
            return super().read(n)

    before = gc.get_threshold()
    probe = Probe(data)
    handed = {gc.get_threshold() for _ in read_stream(probe, "made-up.837")}
    assert handed == {before} and gc.get_threshold() == before
    assert probe.seen and all(t >= _READER_GEN0 for t in probe.seen)
