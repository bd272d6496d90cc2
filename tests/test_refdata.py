"""Importers for the CMS layouts (PTP, MUE, HCPCS) on the samples in fixtures/refdata.

The sample rows are made up (see fixtures/refdata/README.md); the layouts are CMS's.
"""
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from scrubber.refdata import RefDataError, open_refdata
from scrubber.refdata.hcpcs import import_hcpcs, procedure_code_shape_ok
from scrubber.refdata.ncci import edition_from_name, import_mue, import_ptp, parse_mai, setting_from_name
from scrubber.refdata.store import Store

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"
PTP = FIX / "SAMPLE-ccipra-v320r0-f1.txt"
MUE = FIX / "SAMPLE-MUE-Practitioner-2026Q1.csv"
HCPCS = FIX / "SAMPLE-HCPC2026_JAN_ANWEB.txt"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data")
    yield s
    s.close()


def _count(store, table):
    return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_ptp_sample_imports_with_setting_and_edition_from_the_file_name(store):
    label, setting, rows, imported = import_ptp(store, PTP)
    assert (label, setting, rows, imported) == ("2026Q1", "practitioner", 5, True)
    (ed,) = store.editions("ncci-ptp")
    assert ed.effective_from == dt.date(2026, 1, 1) and ed.rows == 5 and len(ed.sha256) == 64


def test_reimporting_the_same_ptp_file_is_a_no_op(store):
    import_ptp(store, PTP)
    assert import_ptp(store, PTP)[3] is False
    assert _count(store, "ptp") == 5
    assert len(store.editions("ncci-ptp")) == 1


def test_malformed_ptp_row_reports_file_and_line_and_imports_nothing(store):
    with pytest.raises(RefDataError) as err:
        import_ptp(store, FIX / "SAMPLE-BAD-ccipra-v320r0-f1.txt")
    assert err.value.line == 8 and err.value.file.endswith("SAMPLE-BAD-ccipra-v320r0-f1.txt")
    assert "2021-01-01" in str(err.value)
    assert _count(store, "ptp") == 0 and store.editions() == []


def test_ptp_zip_as_cms_ships_it(tmp_path, store):
    import zipfile

    z = tmp_path / "SAMPLE-ccipra-v320r0.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(PTP, "ccipra-v320r0-f1.txt")
        zf.writestr("README.pdf", b"not a table")
    assert import_ptp(store, z)[2] == 5


def test_ptp_lookup_respects_effective_and_deletion_dates(tmp_path):
    store = Store(tmp_path / "d")
    import_ptp(store, PTP)
    store.close()
    rd = open_refdata(str(tmp_path / "d"))
    edit = rd.ptp_edit("11111", "22222", "2026-02-01")
    assert edit is not None and edit.modifier == 1 and edit.deleted is None and edit.edition == "2026Q1"
    assert rd.ptp_edit("11111", "22222", "2019-12-31") is None  # before the effective date
    assert rd.ptp_edit("11111", "22222", "2020-01-01") is not None  # on the effective date
    assert rd.ptp_edit("11111", "44444", "2023-12-31") is not None  # the day before deletion
    assert rd.ptp_edit("11111", "44444", "2024-01-01") is None  # on the deletion date
    assert rd.ptp_edit("11111", "55555", "2025-07-01") is None  # deleted retroactively: never in force
    assert rd.ptp_edit("22222", "11111", "2026-02-01") is None  # column order matters
    assert rd.ptp_edit("11111", "22222", "2026-02-01", setting="hospital") is None
    partners = {e.col2: e.modifier for e in rd.ptp_column2_edits("11111", "2026-02-01")}
    assert partners == {"22222": 1, "33333": 0}


def test_mue_sample_imports_setting_from_header_and_parses_mai(tmp_path):
    store = Store(tmp_path / "d")
    label, setting, rows, imported = import_mue(store, MUE)
    assert (label, setting, rows) == ("2026Q1", "practitioner", 3)
    assert import_mue(store, MUE)[3] is False
    store.close()
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.mue("11111", "2026-03-01").value == 1 and rd.mue("11111", "2026-03-01").mai == 2
    assert rd.mue("22222", "2026-03-01").mai == 1
    assert rd.mue("33333", "2026-03-01").mai == 3
    assert rd.mue("99999", "2026-03-01") is None
    assert rd.mue("11111", "2026-03-01", setting="dme") is None


def test_mai_text_forms():
    assert parse_mai("1 Line Edit") == 1
    assert parse_mai("2 Date of Service Edit: Policy") == 2
    assert parse_mai("3 Date of Service Edit: Clinical") == 3
    assert parse_mai("Date of Service Edit") is None


def test_malformed_mue_row_reports_line_and_imports_nothing(store):
    with pytest.raises(RefDataError) as err:
        import_mue(store, FIX / "SAMPLE-BAD-MUE-Practitioner-2026Q1.csv")
    assert err.value.line == 8 and "adjudication indicator" in err.value.message
    assert _count(store, "mue") == 0 and store.editions() == []


def test_hcpcs_sample_validity_by_date_and_cpt_left_unknown(tmp_path):
    store = Store(tmp_path / "d")
    label, rows, imported = import_hcpcs(store, HCPCS)
    assert (label, rows) == ("2026-01-01", 4)
    store.close()
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.hcpcs_valid("Z9901", "2026-05-01") is True
    assert rd.hcpcs_valid("Z9902", "2025-12-31") is True  # termination date is the last day of use
    assert rd.hcpcs_valid("Z9902", "2026-01-01") is False
    assert rd.hcpcs_valid("Z9903", "2025-12-31") is False  # before it was added
    assert rd.hcpcs_valid("Z9999", "2026-05-01") is False  # not in the file
    assert rd.hcpcs_valid("99213", "2026-05-01") is None  # CPT: the Level II file cannot say
    assert "second record" in rd.hcpcs_description("Z9901")
    assert rd.modifier_known("ZZ")  # modifier record from the imported file


def test_hcpcs_valid_is_none_without_an_imported_file(tmp_path):
    rd = open_refdata(str(tmp_path / "empty"))
    assert rd.hcpcs_valid("G0008", "2026-01-01") is None


def test_malformed_hcpcs_record_reports_line(store):
    with pytest.raises(RefDataError) as err:
        import_hcpcs(store, FIX / "SAMPLE-BAD-HCPC2026_JAN_ANWEB.txt")
    assert err.value.line == 4 and "termination date" in err.value.message
    assert store.editions() == []


@pytest.mark.parametrize("code,ok", [
    ("99213", True), ("G0008", True), ("0001F", True), ("0042T", True),
    ("9921", False), ("992134", False), ("GG008", False), ("0001X", False), ("", False),
])
def test_procedure_code_shape(code, ok):
    assert procedure_code_shape_ok(code) is ok


def test_edition_from_cms_file_names():
    assert edition_from_name("ccipra-v320r0-f1.txt") == ("2026Q1", dt.date(2026, 1, 1))
    assert edition_from_name("ccioph-v313r0-f2.txt") == ("2025Q4", dt.date(2025, 10, 1))
    assert edition_from_name("MCR_MUE_PractitionerServices_Eff_04-01-2026.csv") == ("2026Q2", dt.date(2026, 4, 1))
    assert edition_from_name("notes.txt") is None
    assert setting_from_name("ccipra-v320r0-f1.txt") == "practitioner"
    assert setting_from_name("ccioph-v320r0-f1.txt") == "hospital"
    assert setting_from_name("edits.txt") is None


def test_pos_and_modifiers(tmp_path):
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.pos_valid("11") and rd.pos_name("11") == "Office"
    assert rd.pos_valid("27") and not rd.pos_valid("30") and not rd.pos_valid("00")
    for mod in ["24", "25", "27", "57", "58", "59", "78", "79", "91", "XE", "XP", "XS", "XU", "E1", "E4", "FA",
                "F9", "TA", "T9", "LT", "RT", "LC", "LD", "LM", "RC", "RI"]:
        assert rd.modifier_ncci_associated(mod), mod
    assert rd.modifier_known("26") and not rd.modifier_ncci_associated("26")
    assert not rd.modifier_known("Q%")


def test_opening_refdata_reads_nothing(tmp_path):
    rd = open_refdata(str(tmp_path / "never-created"))
    assert not (tmp_path / "never-created").exists()
    assert rd.procedure_code_shape_ok("99213")


def test_a_forked_worker_gets_its_own_connection(tmp_path):
    import os

    store = Store(tmp_path / "d")
    import_mue(store, MUE)
    store.close()
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.mue("11111", "2026-03-01").value == 1  # the parent opens the store first
    pid = os.fork()
    if pid == 0:  # child: a fresh connection, same answers
        ok = rd.mue("22222", "2026-03-01").value == 4 and rd.store.pid == os.getpid()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert rd.mue("33333", "2026-03-01").mai == 3  # the parent still works


def test_ptp_saved_as_csv_from_the_cms_workbook(tmp_path, store):
    lines = PTP.read_text(encoding="latin-1").splitlines()
    csv_text = "\n".join(l.replace("\t", ",") if not l.startswith("1") and not l.startswith("6")
                         else ",".join(f'"{c}"' if "," in c or " " in c else c for c in l.split("\t")) for l in lines)
    src = tmp_path / "SAMPLE-ccipra-v320r0-f1.csv"
    src.write_text(csv_text + "\n", encoding="latin-1")
    assert import_ptp(store, src)[2] == 5
    row = store.conn.execute("SELECT deleted, modifier FROM ptp WHERE col2 = '44444'").fetchone()
    assert row == (20240101, 1)


def test_modifier_table_is_complete_only_with_an_imported_hcpcs_file(tmp_path):
    rd = open_refdata(str(tmp_path / "d"))
    assert not rd.modifiers_complete()
    assert rd.modifier_known("FS") and not rd.modifier_known("ZZ")
    rd.close()
    store = Store(tmp_path / "d")
    import_hcpcs(store, HCPCS)
    store.close()
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.modifiers_complete() and rd.modifier_known("ZZ")
