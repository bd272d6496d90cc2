"""The 835 reader: real samples read without loss, broken segments located, never a crash;
reversals settled; service lines joined to 837 lines."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from remit_factory import Adj, Clp, Svc, build_835, reversal_of
from scrubber.denials.claims import LineKey
from scrubber.denials.mapping import load_map
from scrubber.denials.settle import denials_of, match_lines, settle
from scrubber.model import RunError
from scrubber.readers.remit import ClaimPayment, read_835, read_remit_file

D = Decimal


def read(data: bytes, path: str = "made-up.835"):
    recs = list(read_835([data], path))
    return [r for r in recs if isinstance(r, ClaimPayment)], [r for r in recs if isinstance(r, RunError)]


def _raw_counts(text: str) -> tuple[int, int, int, Decimal]:
    """CLP, SVC and CAS-triplet counts and the CAS total, counted from the text without the reader."""
    el = text.lstrip("\ufeff \r\n")[3]
    clp = svc = trip = 0
    total = D(0)
    segs = [s.strip().lstrip("~").strip() for s in _split(text)]
    for s in segs:
        parts = s.split(el)
        if parts[0] == "CLP":
            clp += 1
        elif parts[0] == "SVC":
            svc += 1
        elif parts[0] == "CAS":
            for i in range(2, len(parts), 3):
                if parts[i].strip():
                    trip += 1
                    total += D(parts[i + 1])
    return clp, svc, trip, total


def _split(text: str) -> list[str]:
    from scrubber.readers.x12.segments import delimiters_from_isa

    text = text.lstrip("\ufeff \r\n")
    term = delimiters_from_isa(text).terminator
    return [s for s in text.split(term) if s.strip()]


def test_real_835_samples_are_read_without_loss(corpus_dir):
    files = sorted(p for p in corpus_dir.iterdir() if "835" in p.name)
    assert len(files) >= 5
    for path in files:
        recs = list(read_remit_file(str(path)))
        payments = [r for r in recs if isinstance(r, ClaimPayment)]
        clp, svc, trip, total = _raw_counts(path.read_text(encoding="latin-1"))
        assert clp > 0, path.name
        assert len(payments) == clp, path.name  # every CLP accounted for
        assert all(p.readable for p in payments), path.name
        assert sum(len(p.services) for p in payments) == svc, path.name
        adjustments = [a for p in payments for a in (*p.adjustments, *(a for s in p.services for a in s.adjustments))]
        assert len(adjustments) == trip, path.name
        assert sum((a.amount for a in adjustments), D(0)) == total, path.name


def test_real_sample_fields_are_read(corpus_dir):
    payments, _ = read(next(p for p in corpus_dir.iterdir() if p.name.endswith("835_simple.txt")).read_bytes())
    assert [(p.claim_id, p.status, p.charge, p.paid) for p in payments] == [
        ("123839-24635", "22", D("-310"), D("-210")), ("123839-24635", "1", D("300"), D("200")),
        ("134158-27488", "22", D("-500.25"), D("-500.25"))]
    first = payments[1]
    assert first.payer_control_number == "6363451" and first.payer_name == "Payer 1"
    assert first.services[0].code == "T1017" and first.services[0].date_from == date(2008, 1, 11)
    assert [(a.group, a.carc, a.amount) for a in first.services[0].adjustments] == [("CR", "45", D("100"))]
    assert payments[2].services[0].modifiers == ("TG",)
    s = settle(payments)  # the first reversal has no original in the file; the second either
    assert (s.reversals, s.reversed, s.reversals_without_original, len(s.standing)) == (2, 0, 2, 1)


def _made_up_835() -> bytes:
    svc = Svc("HC", "99213", ("25",), D("110"), D("0"), "20250224", [Adj("CO", "4", D("110"))], ["N519"], "MADE-UP-LINE-1")
    return build_835([Clp("MADE-UP-1", "4", D("110"), D("0"), services=[svc], control_number="MADE-UP-PCN-1")])


def test_made_up_835_fields_claim_and_line_level():
    payments, errors = read(_made_up_835())
    assert errors == []
    (p,) = payments
    assert (p.claim_id, p.status, p.payer_id, p.payee_id, p.trace_number, p.payment_date) == (
        "MADE-UP-1", "4", "MADEUP01", "1234567893", "MADE-UP-TRACE-1", date(2025, 4, 1))
    s = p.services[0]
    assert (s.code, s.modifiers, s.control_number, s.remarks, s.date_from) == ("99213", ("25",), "MADE-UP-LINE-1", ("N519",), date(2025, 2, 24))


def test_cas_with_six_triplets_and_quantities():
    text = _made_up_835().decode().replace("CAS*CO*4*110.00", "CAS*CO*4*10*1*16*20**97*30*2*236*40**18*5**29*5")
    payments, errors = read(text.encode())
    adjs = payments[0].services[0].adjustments
    assert [(a.carc, a.amount, a.quantity) for a in adjs] == [
        ("4", D("10"), D("1")), ("16", D("20"), None), ("97", D("30"), D("2")), ("236", D("40"), None),
        ("18", D("5"), None), ("29", D("5"), None)]
    assert errors == []


@pytest.mark.parametrize("old,new,what", [
    ("CLP*MADE-UP-1*4*110.00", "CLP*MADE-UP-1*4*1X0.00", "CLP03 charge '1X0.00'"),
    ("CAS*CO*4*110.00", "CAS*CO*4*ABC", "CAS03 amount 'ABC'"),
    ("SVC*HC:99213:25*110.00", "SVC*HC:99213:25*1..0", "SVC02 charge '1..0'"),
    ("DTM*472*20250224", "DTM*472*20251324", "DTM*472 service date '20251324'"),
    ("CAS*CO*4*110.00", "CAS*XX*4*110.00", "CAS01 group code 'XX'"),
])
def test_broken_segment_is_reported_with_its_location_and_the_claim_still_counted(old, new, what):
    text = _made_up_835().decode()
    assert old in text
    broken = text.replace(old, new)
    number = next(i + 1 for i, s in enumerate(broken.split("~\n")) if new in s)
    payments, errors = read(broken.encode())
    assert len(payments) == 1  # the CLP is accounted for
    assert any(what in e.message and e.segment == number and e.path == "made-up.835" for e in errors), errors


def test_broken_svc_amount_keeps_the_line_and_its_denial():
    payments, errors = read(_made_up_835().decode().replace("SVC*HC:99213:25*110.00", "SVC*HC:99213:25*1..0").encode())
    (svc,) = payments[0].services
    assert svc.charge is None and svc.code == "99213"
    assert [(a.carc, a.amount) for a in svc.adjustments] == [("4", D("110"))]  # not moved to claim level
    assert payments[0].adjustments == ()


def test_same_adjudication_sent_twice_is_superseded_a_split_claim_is_not():
    one = Clp("MADE-UP-5", "1", D("100"), D("100"), control_number="MADE-UP-PCN-5")
    split = Clp("MADE-UP-5", "1", D("50"), D("0"), adjustments=[Adj("CO", "18", D("50"))], control_number="MADE-UP-PCN-5B")
    payments, _ = read(build_835([one, one, split]))
    s = settle(payments)
    assert (s.superseded, len(s.standing)) == (1, 2)


def test_clp_that_cannot_be_read_is_yielded_unreadable_and_counted():
    payments, errors = read(_made_up_835().decode().replace("CLP*MADE-UP-1*4*110.00", "CLP**4*abc").encode())
    assert len(payments) == 1 and not payments[0].readable
    assert any(e.kind == "unreadable-remit-claim" for e in errors)
    assert settle(payments).unreadable == 1


def test_truncated_and_garbage_files_never_crash(tmp_path):
    data = _made_up_835()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 5):
        recs = list(read_835([data[:cut]], "cut.835"))
        assert all(isinstance(r, (ClaimPayment, RunError)) for r in recs)
    junk = tmp_path / "junk.835"
    junk.write_bytes(b"\x00\xffnot x12 at all")
    recs = list(read_remit_file(str(junk)))
    assert recs and all(isinstance(r, RunError) for r in recs)
    assert list(read_remit_file(str(tmp_path / "missing.835")))[0].kind == "unreadable-file"


def test_837_in_place_of_an_835_is_named_unsupported():
    from pathlib import Path

    recs = list(read_remit_file(str(Path(__file__).resolve().parent.parent / "fixtures" / "claims" / "professional.837")))
    assert any(r.kind == "unsupported" for r in recs) and not any(isinstance(r, ClaimPayment) for r in recs)


def test_reversal_cancels_the_original_and_the_correction_stands():
    paid = Clp("MADE-UP-2", "1", D("100"), D("80"), adjustments=[Adj("CO", "45", D("20"))], control_number="MADE-UP-PCN-2")
    corrected = Clp("MADE-UP-2", "4", D("100"), D("0"), adjustments=[Adj("CO", "18", D("100"))], control_number="MADE-UP-PCN-2B")
    payments, _ = read(build_835([paid, reversal_of(paid), corrected]))
    s = settle(payments)
    assert (s.reversals, s.reversed, len(s.standing)) == (1, 1, 1)
    assert s.standing[0].status == "4"
    (denial,) = denials_of(s.standing[0], [], load_map())
    assert (denial.carc, denial.amount, denial.category) == ("18", D("100"), "duplicate")


def test_reversal_adjustments_and_cost_sharing_are_not_denials():
    m = load_map()
    payments, _ = read(build_835([Clp("MADE-UP-3", "1", D("100"), D("50"), D("30"),
                                      [Adj("PR", "1", D("30")), Adj("CO", "45", D("20")), Adj("CR", "16", D("5"))])]))
    assert denials_of(payments[0], [], m) == []


def test_denied_claim_without_cas_is_one_denial_with_no_carc():
    payments, _ = read(build_835([Clp("MADE-UP-4", "4", D("90"), D("0"))]))
    (d,) = denials_of(payments[0], [], load_map())
    assert (d.carc, d.amount) == ("", D("90"))


def _line(n, code, mods=(), day=1, ctl=None):
    return LineKey(n, code, mods, date(2025, 3, day), ctl, D("10"))


def _svc(code, mods=(), day=1, ctl=None):
    from scrubber.readers.remit import ServicePayment

    return ServicePayment(code, "HC", mods, D("10"), D("0"), date_from=date(2025, 3, day), control_number=ctl)


def test_lines_join_by_control_number_before_procedure():
    lines = (_line(1, "97110", ctl="MADE-UP-A"), _line(2, "97110", ctl="MADE-UP-B"))
    joined, by_control = match_lines((_svc("97110", ctl="MADE-UP-B"), _svc("97110", ctl="MADE-UP-A")), lines)
    assert joined == [2, 1] and by_control == 2


def test_lines_join_by_procedure_modifiers_in_any_order_and_date():
    lines = (_line(1, "20610", ("RT",)), _line(2, "20610", ("LT", "59")), _line(3, "20610", ("LT",), day=2))
    joined, by_control = match_lines((_svc("20610", ("59", "LT")), _svc("20610", ("LT",), day=2), _svc("20610", ("RT",)),
                                      _svc("99999")), lines)
    assert joined == [2, 3, 1, None] and by_control == 0


def test_denial_map_rule_entry_wins_over_its_category():
    m = load_map()
    assert m.family("PAY-TF-001", "payer-policy") == frozenset({"29"})
    assert "197" in m.family("SOME-OTHER-PAYER-RULE", "payer-policy")
    assert m.category_of("97") == "ncci-ptp" and m.category_of("16") == "data-integrity"
