"""CMS's physician fee schedule RVU file (PPRRVU): `claimscrub refdata import mpfs`, its refusals, its
look-ups, and the rules that read its indicators (idle without it).

The samples are written in CMS's layouts with MADE-UP codes and indicators (11111, 22222, 33333,
77777: fixtures/refdata/README.md); no value here is CMS's.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.refdata import open_refdata
from scrubber.refdata.errors import RefDataError
from scrubber.refdata.importers import import_file
from scrubber.refdata.mpfs import edition_from_text
from scrubber.refdata.store import Store
from datadir import seeded

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"
SAMPLE = FIX / "SAMPLE-PPRRVU2026_Jan_nonQPP.csv"
BAD = FIX / "SAMPLE-BAD-PPRRVU2026_Jan_nonQPP.csv"
DAY = dt.date(2026, 2, 2)


def _import(data: Path, path: Path, edition=None):
    store = Store(data)
    try:
        return import_file(store, "mpfs", path, edition)
    finally:
        store.close()


def _mpfs_rows(data: Path) -> int:
    store = Store(data)
    try:
        return store.conn.execute("SELECT COUNT(*) FROM mpfs").fetchone()[0]
    finally:
        store.close()


def _txt_record(code: str, mod: str, status: str, glob: str, mult: str, bilat: str, asst: str, co: str,
                team: str) -> str:
    """One record of the fixed-width PPRRVU .txt at the RVUyyA layout's positions (1-based: HCPCS 1-5,
    modifier 6-7, status 58, global surgery 104-106, indicators 116-120), padded to 200."""
    rec = [" "] * 200
    for pos, text in ((1, code), (6, mod), (8, "MADE-UP record"), (58, status), (104, glob),
                      (116, mult + bilat + asst + co + team)):
        rec[pos - 1:pos - 1 + len(text)] = text
    return "".join(rec).rstrip()


def test_csv_sample_imports_with_its_release_and_answers_by_date(tmp_path):
    label, where, rows, done = _import(tmp_path, SAMPLE)
    assert (label, where, rows, done) == ("2026Q1", "", 6, True)
    assert _import(tmp_path, SAMPLE).done is False  # the same file again: a no-op
    rd = open_refdata(str(tmp_path))
    r = rd.mpfs("11111", DAY)
    assert (r.glob_days, r.bilat_surg, r.asst_surg, r.co_surg, r.team_surg) == ("000", "0", "1", "0", "0")
    assert rd.mpfs("77777", "2026-02-02").glob_days == "090"
    assert rd.mpfs("33333", DAY, "26").modifier == "26" and rd.mpfs("33333", DAY).modifier == ""
    assert rd.mpfs("99999", DAY) is None
    assert rd.mpfs_edition(DAY) == "2026Q1"
    assert {"kind": "mpfs", "edition": "2026Q1"}.items() <= next(
        e for e in rd.editions() if e["kind"] == "mpfs").items()


def test_bad_row_refuses_the_file_with_file_and_line_and_keeps_the_edition_there_was(tmp_path):
    _import(tmp_path, SAMPLE)
    with pytest.raises(RefDataError) as e:
        _import(tmp_path, BAD)  # same release label: would replace the edition if it were read
    assert e.value.line == 7 and e.value.file.endswith(BAD.name)
    assert "global surgery '10' of 22222" in str(e.value) and "leading zeros" in str(e.value)
    assert _mpfs_rows(tmp_path) == 6
    assert open_refdata(str(tmp_path)).mpfs("22222", DAY).glob_days == "010"


def test_a_refused_first_import_leaves_no_edition(tmp_path):
    with pytest.raises(RefDataError):
        _import(tmp_path, BAD)
    store = Store(tmp_path)
    try:
        assert store.editions("mpfs") == []
    finally:
        store.close()
    assert _mpfs_rows(tmp_path) == 0


@pytest.mark.parametrize("mutate, line, words", [
    (lambda t: t.replace("GLOB,", "GLOBE,"), 5, "no GLOB DAYS column"),
    (lambda t: t.replace("HCPCS,MOD,", "HCPCS,MODIFIER,"), 5, "second column is not MOD"),
    (lambda t: t.replace("77777,,MADE-UP major procedure,A", "77777,,MADE-UP major procedure,a1"), 11,
     "status code"),
    (lambda t: t.replace(",090,0.10,0.80,0.10,2,1,2,1,2,", ",090,0.10,0.80,0.10,2,1,2,1,7,"), 11, "TEAM SURG"),
    (lambda t: t.replace("22222,,", "2222,,"), 7, "not a 5-character"),
    (lambda t: t + "11111,,MADE-UP again,A\r\n", 12, "columns"),
])
def test_malformed_csv_is_refused_with_its_line(tmp_path, mutate, line, words):
    bad = tmp_path / "PPRRVU2026_Jan_nonQPP.csv"
    bad.write_text(mutate(SAMPLE.read_text()), newline="")
    with pytest.raises(RefDataError) as e:
        _import(tmp_path / "d", bad)
    assert e.value.line == line and words in str(e.value), str(e.value)
    assert _mpfs_rows(tmp_path / "d") == 0


def test_duplicate_and_garbage_files_are_refused(tmp_path):
    dup = tmp_path / "PPRRVU26_JAN.csv"
    text = SAMPLE.read_text()
    dup.write_text(text + text.splitlines()[-1] + "\r\n", newline="")
    with pytest.raises(RefDataError, match="appears twice"):
        _import(tmp_path / "d", dup)
    junk = tmp_path / "PPRRVU26_APR.csv"
    junk.write_bytes(b"\x00\xff garbage, not a fee schedule\n" * 40)
    with pytest.raises(RefDataError, match="binary data"):  # the import guard (refdata/guard.py)
        _import(tmp_path / "d", junk)
    junk.write_text("garbage, not a fee schedule\n" * 40)
    with pytest.raises(RefDataError, match="no header row starting with 'HCPCS'"):
        _import(tmp_path / "d", junk)
    assert _mpfs_rows(tmp_path / "d") == 0


def test_fixed_width_txt_in_the_record_layout(tmp_path):
    txt = tmp_path / "PPRRVU26_JUL.txt"
    txt.write_text("\n".join([
        "HDR " + "MADE-UP header record".ljust(46),
        _txt_record("11111", "", "A", "010", "2", "1", "2", "9", "9"),
        _txt_record("33333", "26", "A", "XXX", "4", "3", "9", "9", "9"),
    ]) + "\n")
    assert _import(tmp_path / "d", txt)[:3] == ("2026Q3", "", 2)
    rd = open_refdata(str(tmp_path / "d"))
    assert rd.mpfs("11111", "2026-08-01").glob_days == "010" and rd.mpfs("33333", "2026-08-01").bilat_surg == "3"
    short = tmp_path / "PPRRVU26_OCT.txt"
    short.write_text(_txt_record("11111", "", "A", "010", "2", "1", "2", "9", "9") + "\n" + "22222  MADE-UP\n")
    with pytest.raises(RefDataError) as e:
        _import(tmp_path / "e", short)
    assert e.value.line == 2 and "needs 120" in str(e.value)


def test_cms_zip_picks_the_nonqpp_csv_and_names_the_release(tmp_path):
    z = tmp_path / "RVU26B.zip"
    text = SAMPLE.read_text()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("GPCI2026.csv", "not read\n")
        zf.writestr("PPRRVU2026_Apr_QPP.csv", text.replace(",000,", ",090,", 1))
        zf.writestr("PPRRVU2026_Apr_nonQPP.csv", text)
    assert _import(tmp_path / "d", z)[:3] == ("2026Q2", "", 6)
    assert open_refdata(str(tmp_path / "d")).mpfs("11111", "2026-05-01").glob_days == "000"
    empty = tmp_path / "RVU26C.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("GPCI2026.csv", "not read\n")
    with pytest.raises(RefDataError, match="no PPRRVU"):
        _import(tmp_path / "e", empty)


def test_release_from_names_titles_or_edition_flag(tmp_path):
    assert edition_from_text("PPRRVU26_JAN.csv") == dt.date(2026, 1, 1)
    assert edition_from_text("PPRRVU2026_Oct_nonQPP.csv") == dt.date(2026, 10, 1)
    assert edition_from_text("RVU25AR.zip") == dt.date(2025, 1, 1)
    assert edition_from_text("RVU25D.zip") == dt.date(2025, 10, 1)
    assert edition_from_text("mpfs.csv") is None
    plain = tmp_path / "mpfs.csv"  # no release in the name: the title row names it
    plain.write_text(SAMPLE.read_text(), newline="")
    assert _import(tmp_path / "d", plain)[0] == "2026Q1"
    untitled = tmp_path / "indicators.csv"
    untitled.write_text("\r\n".join(SAMPLE.read_text().splitlines()[3:]) + "\r\n", newline="")
    with pytest.raises(RefDataError, match="--edition"):
        _import(tmp_path / "e", untitled)
    assert _import(tmp_path / "e", untitled, "2025Q4")[0] == "2025Q4"


def test_cli_import_list_and_refusal(tmp_path):
    runner = CliRunner()
    data = str(tmp_path / "data")
    r = runner.invoke(cli, ["refdata", "import", "mpfs", str(SAMPLE), "--data-dir", data])
    assert r.exit_code == 0 and "imported 6 rows of mpfs edition 2026Q1" in r.output, r.output
    r = runner.invoke(cli, ["refdata", "list", "--data-dir", data])
    assert any(line.split()[:5] == ["mpfs", "-", "2026Q1", "2026-01-01", "6"] for line in r.output.splitlines())
    r = runner.invoke(cli, ["refdata", "import", "mpfs", str(BAD), "--data-dir", str(tmp_path / "bad")])
    assert r.exit_code == 2 and f"{BAD.name}:7:" in r.output and "Traceback" not in r.output


def test_mpfs_rules_are_idle_without_the_file_and_run_with_it(tmp_path):
    from scrubber.idle import idle_rules
    from scrubber.rulespec import default_rule_dirs, load_packs

    rules = load_packs(default_rule_dirs()).rules
    mpfs_rules = {"MOD-50BILAT-001", "MOD-ASST-001", "MOD-62COSURG-001", "MOD-66TEAM-001"}
    idle = {i["rule_id"]: i for i in idle_rules(rules, open_refdata(str(tmp_path)))}
    assert mpfs_rules <= set(idle)
    assert idle["MOD-ASST-001"]["table"] == "mpfs" and "refdata import mpfs" in idle["MOD-ASST-001"]["reason"]
    store = Store(tmp_path)
    try:
        import_file(store, "ncci-ptp", FIX / "SAMPLE-ccipra-v320r0-f1.txt")
    finally:
        store.close()
    idle = {i["rule_id"]: i["table"] for i in idle_rules(rules, open_refdata(str(tmp_path)))}
    assert idle["NCCI-PTP-004"] == "mpfs" and "NCCI-PTP-003" not in idle  # 003 needs only the PTP table
    _import(tmp_path, SAMPLE)
    idle = {i["rule_id"] for i in idle_rules(rules, open_refdata(str(tmp_path)))}
    assert not (mpfs_rules | {"NCCI-PTP-004"}) & idle


def test_57_with_a_minor_procedure_is_flagged_only_with_the_mpfs_file(tmp_path):
    """A scrub of one claim: E/M-57 with the made-up 000-day code; NCCI-PTP-004 needs the MPFS file."""
    import json

    from scrubber.refdata.rule_cases import samples_dir

    claim = {"claim_id": "MADE-UP-MPFS-1", "service_from": "2026-02-02", "lines": [
        {"number": 1, "code": "11111", "code_qualifier": "HC", "charge": "100", "units": 1, "date_from": "2026-02-02"},
        {"number": 2, "code": "99213", "code_qualifier": "HC", "modifiers": ["57"], "charge": "90", "units": 1,
         "date_from": "2026-02-02"}]}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    data = seeded(tmp_path / "data")  # the built-in ICD-10-CM store, already built (tests/datadir.py)
    store = Store(data)
    try:
        import_file(store, "ncci-ptp", samples_dir() / "SAMPLE-PACKS-ccipra-v320r0-f2.txt")
    finally:
        store.close()

    def rule_ids():
        r = CliRunner().invoke(cli, ["scrub", str(path), "--data-dir", str(data), "--format", "json", "--no-ledger"])
        out = json.loads(r.stdout if hasattr(r, "stdout") else r.output)
        return {f["rule_id"] for c in out["claims"] for f in c["findings"]}, out

    found, out = rule_ids()
    assert "NCCI-PTP-003" not in found and "NCCI-PTP-004" not in found  # 57 bypasses 003; 004 idle
    assert any(i["rule_id"] == "NCCI-PTP-004" for i in out["run"]["rules_idle"])
    _import(data, SAMPLE)
    found, out = rule_ids()
    assert "NCCI-PTP-004" in found


def test_truncated_zip_is_refused_not_a_traceback(tmp_path):
    z = tmp_path / "RVU26A.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("PPRRVU2026_Jan_nonQPP.csv", SAMPLE.read_text() * 50)
    data = z.read_bytes()
    # corrupt the member's compressed bytes, keep the directory: is_zipfile still says yes
    start = 30 + len("PPRRVU2026_Jan_nonQPP.csv")
    z.write_bytes(data[:start] + bytes(b ^ 0xFF for b in data[start:start + 200]) + data[start + 200:])
    with pytest.raises(RefDataError, match="cannot be read|not a whole zip file"):
        _import(tmp_path / "d", z)
    assert _mpfs_rows(tmp_path / "d") == 0
