"""Where each value of a name loop, other payer and HI code came from: every ``locs`` entry, in order.

The reader keeps these ``locs`` compact (values.MaskedLocs: a shared table, the object's segment
numbers and a presence mask), so a field must be located exactly when its value was read: a
person without NM104 has no ``first_name`` location, one without DMG no ``birth_date`` or ``sex``,
an address without N3 no ``line1``. Each test lists an object's whole ``locs`` (keys, order,
paths and segment numbers) as a user of the findings would see them.

The inputs are the made-up fixture ``837p-two-claims.837`` and made-up variants of it (names and
ids ``MADE-UP``/``MADEUP``); segment numbers are looked up in the text read, so each expectation
names the segment it means.
"""
from __future__ import annotations

import io
import pickle

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, Loc
from scrubber.readers import read_stream

FIXTURE = ROOT / "fixtures" / "x12" / "837p-two-claims.837"


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def seg_no(text: str, segment: str) -> int:
    """1-based number of the one segment of ``text`` equal to ``segment`` (or starting with it + '*')."""
    hits = [i for i, s in enumerate(_segments(text), 1) if s == segment or s.startswith(segment + "*")]
    assert len(hits) == 1, (segment, hits)
    return hits[0]


def read(text: str) -> dict:
    recs = [r for r in read_stream(io.BytesIO(text.encode()), "made-up.837") if isinstance(r, ClaimRecord)]
    return {r.claim_id: r.claim for r in recs}


def items(locs) -> list[tuple[str, Loc]]:
    """``locs`` as (field, Loc) in iteration order, checked against the Mapping's other views."""
    out = list(locs.items())
    assert list(locs) == [k for k, _ in out] and len(locs) == len(out)
    assert all(k in locs and locs.get(k) == v for k, v in out)
    return out


@pytest.fixture(scope="module")
def text() -> str:
    return FIXTURE.read_text().replace("\r", "").replace("\n", "")


def test_full_name_loops_of_the_fixture(text):
    c = read(text)["MADE-UP-P1"]
    n = lambda s: seg_no(text, s)  # noqa: E731
    billing = c.provider("billing")
    # Taxonomy from the 2000A PRV (outside the 2010AA loop), tax id from REF*EI rather than NM109.
    assert items(billing.locs) == [
        ("entity_type", Loc("2010AA/NM102", n("NM1*85"))), ("last_or_org_name", Loc("2010AA/NM103", n("NM1*85"))),
        ("npi", Loc("2010AA/NM109", n("NM1*85"))), ("tax_id", Loc("2010AA/REF02", n("REF*EI"))),
        ("taxonomy", Loc("2000A/PRV03", n("PRV*BI"))),
    ]
    assert items(billing.address.locs) == [
        ("line1", Loc("2010AA/N301", n("N3*100 MADE-UP AVENUE"))), ("city", Loc("2010AA/N401", n("N4*SPRINGFIELD*IL*62701"))),
        ("state", Loc("2010AA/N402", n("N4*SPRINGFIELD*IL*62701"))),
        ("postal_code", Loc("2010AA/N403", n("N4*SPRINGFIELD*IL*62701"))),
    ]
    # NM1*87*2 with no name: the name element is still located (the reader read it, empty).
    assert items(c.provider("pay_to").locs) == [
        ("entity_type", Loc("2010AB/NM102", n("NM1*87"))), ("last_or_org_name", Loc("2010AB/NM103", n("NM1*87"))),
    ]
    rendering = c.provider("rendering")
    assert items(rendering.locs) == [
        ("entity_type", Loc("2310B/NM102", n("NM1*82*1*MADEUP*JORDAN"))),
        ("last_or_org_name", Loc("2310B/NM103", n("NM1*82*1*MADEUP*JORDAN"))),
        ("first_name", Loc("2310B/NM104", n("NM1*82*1*MADEUP*JORDAN"))),
        ("npi", Loc("2310B/NM109", n("NM1*82*1*MADEUP*JORDAN"))), ("taxonomy", Loc("2310B/PRV03", n("PRV*PE"))),
    ]
    nm1 = n("NM1*IL*1*MADEUP*ALEX")
    assert items(c.subscriber.locs) == [
        ("last_name", Loc("2010BA/NM103", nm1)), ("first_name", Loc("2010BA/NM104", nm1)),
        ("middle_name", Loc("2010BA/NM105", nm1)), ("member_id", Loc("2010BA/NM109", nm1)),
        ("birth_date", Loc("2010BA/DMG02", n("DMG*D8*19800229"))), ("sex", Loc("2010BA/DMG03", n("DMG*D8*19800229"))),
        ("relationship", Loc("2000B/SBR02", n("SBR*P*18"))),
    ]
    assert items(c.payer.locs) == [("name", Loc("2010BB/NM103", n("NM1*PR*2*MADE-UP HEALTH PLAN"))),
                                   ("payer_id", Loc("2010BB/NM109", n("NM1*PR*2*MADE-UP HEALTH PLAN")))]
    assert items(c.lines[2].provider("rendering").locs) == [
        ("entity_type", Loc("2400[3]/2420A/NM102", n("NM1*82*1*MADEUP*CASEY"))),
        ("last_or_org_name", Loc("2400[3]/2420A/NM103", n("NM1*82*1*MADEUP*CASEY"))),
        ("first_name", Loc("2400[3]/2420A/NM104", n("NM1*82*1*MADEUP*CASEY"))),
        ("npi", Loc("2400[3]/2420A/NM109", n("NM1*82*1*MADEUP*CASEY"))),
    ]


def test_patient_other_payer_and_absent_fields_of_the_fixture(text):
    c = read(text)["MADE-UP-P2"]
    n = lambda s: seg_no(text, s)  # noqa: E731
    # SBR02 empty: no relationship; no DMG: no birth date or sex; no N3/N4: no address.
    assert c.subscriber.address is None
    assert items(c.subscriber.locs) == [
        ("last_name", Loc("2010BA/NM103", n("NM1*IL*1*MADEUP*MORGAN"))), ("first_name", Loc("2010BA/NM104", n("NM1*IL*1*MADEUP*MORGAN"))),
        ("member_id", Loc("2010BA/NM109", n("NM1*IL*1*MADEUP*MORGAN"))),
    ]
    for absent in ("middle_name", "birth_date", "sex", "relationship"):
        assert absent not in c.subscriber.locs
        with pytest.raises(KeyError):
            c.subscriber.locs[absent]
    # The patient: no NM109 (no member id), relationship from the 2000C PAT.
    assert items(c.patient.locs) == [
        ("last_name", Loc("2010CA/NM103", n("NM1*QC"))), ("first_name", Loc("2010CA/NM104", n("NM1*QC"))),
        ("birth_date", Loc("2010CA/DMG02", n("DMG*D8*20150607"))), ("sex", Loc("2010CA/DMG03", n("DMG*D8*20150607"))),
        ("relationship", Loc("2000C/PAT01", n("PAT*19"))),
    ]
    (other,) = c.other_payers
    assert items(other.locs) == [
        ("responsibility", Loc("2320[1]/SBR01", n("SBR*P*01"))), ("relationship", Loc("2320[1]/SBR02", n("SBR*P*01"))),
        ("claim_filing_indicator", Loc("2320[1]/SBR09", n("SBR*P*01"))), ("paid_amount", Loc("2320[1]/AMT02", n("AMT*D"))),
        ("adjudication_date", Loc("2320[1]/2330B/DTP03", n("DTP*573"))),
    ]
    # The 2330A other subscriber has no relationship location of its own (it is on the 2320 SBR).
    assert items(other.subscriber.locs) == [
        ("last_name", Loc("2320[1]/2330A/NM103", n("NM1*IL*1*MADEUP*TAYLOR"))),
        ("first_name", Loc("2320[1]/2330A/NM104", n("NM1*IL*1*MADEUP*TAYLOR"))),
        ("member_id", Loc("2320[1]/2330A/NM109", n("NM1*IL*1*MADEUP*TAYLOR"))),
    ]
    assert items(other.payer.locs) == [("name", Loc("2320[1]/2330B/NM103", n("NM1*PR*2*MADE-UP FIRST PLAN"))),
                                       ("payer_id", Loc("2320[1]/2330B/NM109", n("NM1*PR*2*MADE-UP FIRST PLAN")))]


def test_absent_nm104_dmg03_n3_and_taxonomy_are_not_located(text):
    """A made-up variant: the subscriber without first / middle name, DMG03 or N3; the rendering
    provider without a first name or PRV; the billing provider's N3 with a second line; the pay-to
    provider with a 004010-style tax id in NM109, then a REF*EI one (the REF's wins), and no address
    line (N4 only)."""
    changed = (text
               .replace("NM1*IL*1*MADEUP*ALEX*Q***MI*MADEUP0001", "NM1*IL*1*MADEUP*****MI*MADEUP0001")
               .replace("N3*1 MADE-UP STREET~N4*SPRINGFIELD*IL*62704", "N4*SPRINGFIELD*IL*62705")
               .replace("DMG*D8*19800229*F", "DMG*D8*19800229")
               .replace("NM1*82*1*MADEUP*JORDAN****XX*1987654328~PRV*PE*PXC*207X00000X", "NM1*82*2*MADE-UP CLINIC*****XX*1987654328")
               .replace("N3*100 MADE-UP AVENUE", "N3*100 MADE-UP AVENUE*SUITE 2")
               .replace("NM1*87*2~N3*PO BOX 100~N4*SPRINGFIELD*IL*62702~",
                        "NM1*87*2*MADE-UP PAY-TO*****24*123456789~N4*SPRINGFIELD*IL*62702~REF*EI*987654321~"))
    assert changed.count("~") == text.count("~") - 2
    c = read(changed)["MADE-UP-P1"]
    n = lambda s: seg_no(changed, s)  # noqa: E731
    nm1 = n("NM1*IL*1*MADEUP*****MI*MADEUP0001")
    assert c.subscriber.first_name is None and c.subscriber.sex is None and c.subscriber.address.line1 is None
    assert items(c.subscriber.locs) == [
        ("last_name", Loc("2010BA/NM103", nm1)), ("member_id", Loc("2010BA/NM109", nm1)),
        ("birth_date", Loc("2010BA/DMG02", n("DMG*D8*19800229"))), ("relationship", Loc("2000B/SBR02", n("SBR*P*18"))),
    ]
    n4 = n("N4*SPRINGFIELD*IL*62705")
    assert items(c.subscriber.address.locs) == [
        ("city", Loc("2010BA/N401", n4)), ("state", Loc("2010BA/N402", n4)), ("postal_code", Loc("2010BA/N403", n4)),
    ]
    assert "line1" not in c.subscriber.address.locs and "line2" not in c.subscriber.address.locs
    rendering = c.provider("rendering")
    assert rendering.taxonomy is None
    assert items(rendering.locs) == [
        ("entity_type", Loc("2310B/NM102", n("NM1*82*2"))), ("last_or_org_name", Loc("2310B/NM103", n("NM1*82*2"))),
        ("npi", Loc("2310B/NM109", n("NM1*82*2"))),
    ]
    billing_n3 = n("N3*100 MADE-UP AVENUE")
    assert [k for k, _ in items(c.provider("billing").address.locs)] == ["line1", "line2", "city", "state", "postal_code"]
    assert c.provider("billing").address.locs["line2"] == Loc("2010AA/N302", billing_n3)
    pay_to = c.provider("pay_to")
    assert pay_to.tax_id == "987654321" and pay_to.npi is None
    assert items(pay_to.locs) == [
        ("entity_type", Loc("2010AB/NM102", n("NM1*87"))), ("last_or_org_name", Loc("2010AB/NM103", n("NM1*87"))),
        ("tax_id", Loc("2010AB/REF02", n("REF*EI*987654321"))),
    ]
    # Without the REF, the NM109 tax id and its location.
    c = read(changed.replace("REF*EI*987654321~", ""))["MADE-UP-P1"]
    assert c.provider("pay_to").tax_id == "123456789"
    assert c.provider("pay_to").locs["tax_id"] == Loc("2010AB/NM109", n("NM1*87"))
    assert [k for k, _ in items(pay_to.address.locs)] == ["city", "state", "postal_code"]


def test_locs_pickle_compare_and_show_like_the_mappings_they_are(text):
    c = read(text)["MADE-UP-P2"]
    objects = [c.patient, c.patient.address, c.subscriber, c.payer, c.other_payers[0], c.other_payers[0].payer,
               c.provider("billing"), c.provider("billing").address]
    for obj in objects:
        locs = obj.locs
        back = pickle.loads(pickle.dumps(locs))
        assert back == locs and items(back) == items(locs) and back == dict(locs)
        assert repr(locs) == f"{type(locs).__name__}({dict(locs)!r})"
    assert c.subscriber.locs != c.patient.locs
