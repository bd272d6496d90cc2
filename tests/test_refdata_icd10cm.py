"""ICD-10-CM: the built-in April 2026 tabular, Excludes1, derived sets, and validity by date across editions."""
import datetime as dt
from pathlib import Path

import pytest

from scrubber.refdata import RefDataError, add_dot, open_refdata, undot
from scrubber.refdata.icd10cm import import_icd10cm
from scrubber.refdata.icd10cm_tabular import note_references
from scrubber.refdata.store import Store

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory):
    """One data directory for the module: the built-in tabular is parsed once (about 2.5 s)."""
    return str(tmp_path_factory.mktemp("icd") / "data")


@pytest.fixture(scope="module")
def rd(shared_dir):
    r = open_refdata(shared_dir)
    yield r
    r.close()


@pytest.fixture
def built_copy(rd, shared_dir, tmp_path):
    """A fresh data directory that already holds the built-in edition (copied, not re-parsed)."""
    import sqlite3

    rd.icd10cm_valid("I10", "2026-05-01")  # make sure the shared store is built
    dst = tmp_path / "copy"
    dst.mkdir()
    src = sqlite3.connect(str(Path(shared_dir) / "refdata.sqlite3"))
    out = sqlite3.connect(str(dst / "refdata.sqlite3"))
    src.backup(out)
    out.close()
    src.close()
    return dst


def test_dot_helpers():
    assert undot("E11.9") == "E119" and add_dot("E119") == "E11.9" and add_dot("I10") == "I10"


def test_builtin_codes_billable_and_titles(rd):
    dos = "2026-05-01"
    assert rd.icd10cm_valid("E11.9", dos) and rd.icd10cm_billable("E119", dos)
    assert rd.icd10cm_valid("E11", dos) and not rd.icd10cm_billable("E11", dos)  # header
    assert rd.icd10cm_title("E119") == "Type 2 diabetes mellitus without complications"
    assert not rd.icd10cm_valid("E11.99", dos)
    # 7th characters with the X placeholder are billable; the 6-character stem is not
    assert rd.icd10cm_billable("S0000XA", dos) and not rd.icd10cm_billable("S0000X", dos)
    # the S06 note rules out D and S with 6th character 7 (death before regaining consciousness)
    assert rd.icd10cm_billable("S061X7A", dos) and not rd.icd10cm_valid("S061X7D", dos)


def test_excludes1_pairs_from_the_tabular(rd):
    assert rd.excludes1("E10.9", "E11.9")  # E11 Excludes1 type 1 diabetes mellitus (E10.-)
    assert rd.excludes1("E11.65", "E10.10")  # either direction, any descendants
    assert rd.excludes1("O24.410", "E11.9")  # E11 Excludes1 gestational diabetes (O24.4-)
    assert not rd.excludes1("E11.9", "I10")
    assert not rd.excludes1("E11.9", "E11.65")
    assert rd.excludes1_pair_count() == 5701  # 5331 + the notes qualified by one character position
    # F07.81 Excludes1 "current concussion (brain) (S06.0X- with seventh character A)"
    assert rd.excludes1("F07.81", "S06.0X1A") and not rd.excludes1("F07.81", "S06.0X1D")
    assert rd.excludes1("E11.44", "G54.5")  # G54.5 Excludes1 "neuralgic amyotrophy in diabetes mellitus (E08-E13 with .44)"


def test_excludes1_note_forms():
    codes = {c: (True, "") for c in ["O10", "O11", "O13", "O16", "B380", "B382", "E08", "I702", "I707", "D292"]}
    assert note_references("hypertension (O10-O11, O13-O16)", codes) == ([("O10", "O11"), ("O13", "O16")], 0)
    assert note_references("pneumonia (B38.0-B38.2)", codes)[0] == [("B380", "B382")]
    assert note_references("x (E08.-)", codes)[0] == [("E08", "E08")]
    assert note_references("x (I70.2--I70.7-)", codes)[0] == [("I702", "I707")]
    assert note_references("x (D29.2.-)", codes)[0] == [("D292", "D292")]
    codes.update({c: (True, "") for c in ["E09", "E10", "E11", "E13", "E0844", "E1044", "E1144", "E1344", "V01"]})
    assert note_references("amyotrophy (E08-E13 with .44)", codes) == (
        [("E0844", "E0844"), ("E1044", "E1044"), ("E1144", "E1144"), ("E1344", "E1344")], 0)  # E09.44 absent here
    # a character-position qualifier cannot be read reliably: skipped and counted, never widened
    assert note_references("pedestrian (V01-V09 with 5th character 1)", codes) == ([], 1)


@pytest.mark.parametrize("code,set_name,member", [
    ("O80", "maternity", True), ("O80", "female", True), ("Z3A.20", "maternity", True), ("Z33.1", "maternity", True),
    ("Z34.00", "female", True), ("P07.30", "newborn", True), ("P07.30", "pediatric", True), ("Z38.00", "newborn", True),
    ("Z38.00", "maternity", False), ("N40.0", "male", True), ("N40.0", "female", False), ("C61", "male", True),
    ("C53.9", "female", True), ("N39.3", "female", False), ("N39.3", "male", False), ("Z00.00", "adult", True),
    ("Z00.121", "pediatric", True), ("I10", "adult", False), ("I10", "newborn", False),
    ("G01", "manifestation", True), ("E11.9", "manifestation", False), ("G01", "manifestation-title", True),
    ("L97.909", "manifestation", True), ("L97.909", "manifestation-title", False), ("Z32.02", "maternity", False),
])
def test_derived_sets_on_known_codes(rd, code, set_name, member):
    assert rd.icd10cm_in_set(code, set_name) is member


def test_unknown_set_name_is_an_error(rd):
    with pytest.raises(ValueError):
        rd.icd10cm_in_set("I10", "geriatric")


def test_validity_follows_the_date_of_service_across_two_editions(built_copy):
    data = built_copy
    store = Store(data)
    label, rows, imported = import_icd10cm(store, FIX / "icd10cm_order_2025.txt")
    assert (label, rows, imported) == ("FY2025", 6, True)
    assert import_icd10cm(store, FIX / "icd10cm_order_2025.txt")[2] is False  # re-import: no-op
    store.close()
    rd = open_refdata(str(data))
    # U9999 is the sample's made-up code "valid in FY2025, deleted in FY2026"
    assert rd.icd10cm_valid("U9999", "2025-06-15")
    assert not rd.icd10cm_valid("U9999", "2026-06-15")
    assert rd.icd10cm_edition("2025-06-15") == "FY2025" and rd.icd10cm_edition("2026-06-15") == "2026-04-01"
    assert rd.icd10cm_billable("E119", "2025-06-15") and not rd.icd10cm_billable("E11", "2025-06-15")
    assert not rd.icd10cm_valid("E11.65", "2025-06-15")  # not in the (small) FY2025 sample
    assert rd.icd10cm_valid("E11.65", "2026-06-15")
    # between FY2025's end and the April 2026 edition, the later edition (with October's changes) applies
    assert rd.icd10cm_edition("2025-12-01") == "2026-04-01"
    kinds = {(e["kind"], e["edition"]) for e in rd.editions()}
    assert {("icd10cm", "FY2025"), ("icd10cm", "2026-04-01")} <= kinds


def test_malformed_order_file_reports_line_and_imports_nothing(tmp_path):
    store = Store(tmp_path / "d")
    with pytest.raises(RefDataError) as err:
        import_icd10cm(store, FIX / "icd10cm_order_2025_BAD.txt")
    assert err.value.line == 4
    assert store.editions() == []


def test_tabular_xml_import_for_another_fiscal_year(built_copy, tmp_path):
    store = Store(built_copy)
    label, rows, imported = import_icd10cm(store, FIX / "icd10cm_tabular_2025_SAMPLE.xml")
    assert (label, rows, imported) == ("FY2025", 6, True)
    store.close()
    rd = open_refdata(str(built_copy))
    assert rd.icd10cm_billable("E11.65", "2025-03-01") and not rd.icd10cm_billable("E11.6", "2025-03-01")
    assert not rd.icd10cm_valid("I10", "2025-03-01")  # the sample extract holds E10-E11 only
    # derived data come from the newest tabular (the built-in April 2026 one)
    assert rd.excludes1("E109", "E119") and rd.excludes1("O24410", "E119")


def test_tabular_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    xml = (FIX / "icd10cm_tabular_2025_SAMPLE.xml").read_text()
    xml = xml.replace("<ICD10CM.tabular>", f'<!DOCTYPE ICD10CM.tabular [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
                      "<ICD10CM.tabular>", 1).replace("Type 1 diabetes mellitus</desc>", "Type 1 &leak;</desc>", 1)
    evil = tmp_path / "icd10cm_tabular_2025.xml"
    evil.write_text(xml)
    store = Store(tmp_path / "d")
    try:
        import_icd10cm(store, evil)
    except RefDataError:
        pass  # refusing the file is fine too
    titles = [t for (t,) in store.conn.execute("SELECT title FROM icd_code")]
    assert not any("SECRET" in t for t in titles)


def test_not_a_tabular_is_refused_with_its_location(tmp_path):
    bad = tmp_path / "icd10cm_tabular_2025.xml"
    bad.write_text('<?xml version="1.0"?>\n<ICD10CM.tabular>\n<chapter>\n</ICD10CM.tabular>\n')
    with pytest.raises(RefDataError) as err:
        import_icd10cm(Store(tmp_path / "d"), bad)
    assert err.value.line == 4


def test_tags_for_a_diagnosis_fact(rd):
    assert rd.icd10cm_tags("O80") == frozenset({"maternity", "female"})
    assert rd.icd10cm_tags("I10") == frozenset()


def test_opening_refdata_and_cli_help_load_no_code_sets():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from scrubber.cli import cli\n"
        "from scrubber.refdata import open_refdata\n"
        "r = CliRunner().invoke(cli, ['--help'])\n"
        "assert r.exit_code == 0\n"
        "open_refdata()\n"
        "print(sorted(m for m in ('lxml', 'simple_icd_10_cm') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cdc_zip_with_the_order_file(built_copy, tmp_path):
    import zipfile

    z = tmp_path / "icd10cm-Code-Descriptions-2025.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "icd10cm_order_2025.txt", "icd10cm_order_2025.txt")
        zf.writestr("icd10cm_codes_2025.txt", "E119    Type 2 diabetes mellitus without complications\n")
    store = Store(built_copy)
    assert import_icd10cm(store, z) == ("FY2025", 6, True)
    assert import_icd10cm(store, z)[2] is False
    store.close()
    assert open_refdata(str(built_copy)).icd10cm_valid("U9999", "2025-06-01")


def test_excludes1_index_gives_the_same_answers_as_the_full_note_scan(rd):
    """The per-code index behind excludes1 (RefData._excluded_by) answers exactly as the scan over
    every note scope did, on a seeded sample of real codes biased towards pairs the notes name."""
    import random

    rnd = random.Random(5)
    rd.excludes1("E11.9", "E10.9")  # loads the notes
    codes = sorted(r[0] for r in rd.store.conn.execute("SELECT DISTINCT code FROM icd_code"))
    scopes = [p for pairs in rd._excl_by_cat.values() for p in pairs] + list(rd._excl_wide)
    sample = set(rnd.sample(codes, 40))
    for (src_lo, _), (dst_lo, dst_hi) in rnd.sample(scopes, 60):  # a code under a note and one it names
        under = [c for c in codes if c.startswith(src_lo)]
        sample.update(rnd.sample(under, min(3, len(under))))
        sample.update(rnd.sample([c for c in codes if dst_lo <= c[:len(dst_lo)] and c[:len(dst_hi)] <= dst_hi] or [dst_lo], 1))
    sample = sorted(sample)
    picked = rnd.sample(sample, min(120, len(sample)))
    agree = hits = 0
    for a in picked:
        for b in sample:
            want = rd._excludes_one_way_scan(a, b)
            assert rd._excludes_one_way(a, b) == want, (a, b)
            agree += 1
            hits += want
    assert hits > 20 and agree > 10_000  # the sample exercises both answers
