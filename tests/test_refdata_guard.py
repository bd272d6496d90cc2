"""The import guard (issue 19): a reference file that is truncated, garbage or huge is refused with
file:line (or file / byte offset), exit 2, and nothing of it is installed: the edition imported
before stays in use, row for row.

Every importer of ``scrubber/refdata/importers.py`` is tried with each kind of bad file. The good
files are the bundled samples (CMS / CDC layouts, MADE-UP rows, fixtures/refdata/README.md); the
bad ones are made from them here, and the 1,200-row MUE tables of the count check are MADE UP too.
"""
from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "refdata"

# kind, sample file, extra CLI arguments
IMPORTERS = [
    ("ncci-ptp", "SAMPLE-ccipra-v320r0-f1.txt", []),
    ("mue", "SAMPLE-MUE-Practitioner-2026Q1.csv", []),
    ("hcpcs", "SAMPLE-HCPC2026_JAN_ANWEB.txt", ["--edition", "2026-01-01"]),
    ("icd10cm", "icd10cm_order_2025.txt", []),
    ("icd10cm", "icd10cm_tabular_2025_SAMPLE.xml", []),
]
IDS = ["ptp", "mue", "hcpcs", "icd-order", "icd-xml"]


def run(*args: str):
    return CliRunner().invoke(cli, ["refdata", *args], catch_exceptions=False)


def state(data: Path) -> list:
    """Every edition row and every table row count: what a refused import must leave as it was."""
    con = sqlite3.connect(str(data / "refdata.sqlite3"))
    try:
        eds = con.execute("SELECT kind, setting, edition, rows, sha256 FROM editions WHERE builtin = 0 ORDER BY 1, 2, 3").fetchall()
        counts = [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("ptp", "mue", "hcpcs", "icd_code")]
    finally:
        con.close()
    return [eds, counts]


@pytest.fixture
def imported(tmp_path):
    """A data directory holding every sample (the editions a bad file must not disturb)."""
    data = tmp_path / "data"
    for kind, name, extra in IMPORTERS:
        r = run("import", kind, str(FIX / name), "--data-dir", str(data), *extra)
        assert r.exit_code == 0, r.output
    return data


def _refused(data: Path, kind: str, path: Path, extra: list, where: str) -> str:
    before = state(data)
    r = run("import", kind, str(path), "--data-dir", str(data), *extra)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and f"error: {where}" in r.output, r.output
    assert state(data) == before  # nothing installed, the previous edition as it was
    return r.output


def _bad_copy(tmp_path: Path, name: str, data: bytes) -> Path:
    d = tmp_path / "bad"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("kind,name,extra", IMPORTERS, ids=IDS)
def test_a_file_cut_inside_its_last_line_is_refused_at_that_line(imported, tmp_path, kind, name, extra):
    raw = (FIX / name).read_bytes()
    cut = raw.rstrip(b"\r\n")[:-5]  # a download that stopped 5 bytes before the end of the last record
    lines = cut.count(b"\n") + 1
    p = _bad_copy(tmp_path, name, cut)
    where = f"{p}:{lines}:" if not name.endswith(".xml") else f"{p}:"
    out = _refused(imported, kind, p, extra, where)
    assert "truncated" in out or "well-formed" in out


@pytest.mark.parametrize("kind,name,extra", IMPORTERS, ids=IDS)
def test_garbage_is_refused_with_its_byte_offset(imported, tmp_path, kind, name, extra):
    junk = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # an image saved under the table's name
    p = _bad_copy(tmp_path, name, junk)
    out = _refused(imported, kind, p, extra, f"{p}: binary data")
    assert "byte offset 8" in out  # the first NUL, after the 8-byte PNG signature


@pytest.mark.parametrize("kind,name,extra", IMPORTERS, ids=IDS)
def test_a_huge_file_is_refused_before_it_is_read(imported, tmp_path, kind, name, extra, monkeypatch):
    monkeypatch.setenv("CLAIMSCRUB_REFDATA_MAX_MB", "1")
    raw = (FIX / name).read_bytes()
    p = _bad_copy(tmp_path, name, raw + b"\n" * (1 << 20))
    out = _refused(imported, kind, p, extra, f"{p}: the file is")
    assert "limit" in out and "CLAIMSCRUB_REFDATA_MAX_MB" in out


@pytest.mark.parametrize("kind,name,extra", [c for c in IMPORTERS if not c[1].endswith(".xml")], ids=IDS[:4])
def test_a_huge_line_is_refused_at_its_line_without_reading_it_whole(imported, tmp_path, kind, name, extra):
    raw = (FIX / name).read_bytes()
    lines = raw.split(b"\n")
    k = len(lines) - 3  # a line near the end, inside the table
    lines[k] = lines[k].rstrip(b"\r") + b"X" * 200_000 + b"\r"
    p = _bad_copy(tmp_path, name, b"\n".join(lines))
    out = _refused(imported, kind, p, extra, f"{p}:{k + 1}:")
    assert "longer than" in out


@pytest.mark.parametrize("kind,name", [("ncci-ptp", "SAMPLE-ccipra-v320r0-f1.txt"), ("icd10cm", "icd10cm_order_2025.txt")])
def test_a_truncated_or_damaged_zip_is_refused(imported, tmp_path, kind, name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, (FIX / name).read_bytes() * 20)
    whole = buf.getvalue()
    zname = name.rsplit(".", 1)[0] + ".zip"
    p = _bad_copy(tmp_path, zname, whole[: len(whole) - 40])  # the central directory cut off
    assert "not a whole zip" in _refused(imported, kind, p, [], f"{p}:")
    damaged = bytearray(whole)
    damaged[60] ^= 0xFF  # a byte of the compressed member flipped: its CRC no longer matches
    p = _bad_copy(tmp_path, zname, bytes(damaged))
    out = _refused(imported, kind, p, [], f"{p}:")
    assert "damaged" in out or "not a whole zip" in out


def test_a_zip_member_that_would_inflate_past_the_limit_is_refused_unread(imported, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSCRUB_REFDATA_MAX_MB", "1")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ccipra-v320r0-f1.txt", b"\n" * (3 << 20))  # 3 MB of line breaks: a few KB zipped
    p = _bad_copy(tmp_path, "ccipra-v320r0.zip", buf.getvalue())
    assert p.stat().st_size < 1 << 20
    assert "inflates to 3,145,728 bytes" in _refused(imported, "ncci-ptp", p, ["--setting", "practitioner"], f"{p}:")


def _mue(rows: int, first: int = 0) -> bytes:
    """A MADE-UP MUE table in CMS's layout: codes M0000.. (no such HCPCS codes), values 1."""
    head = ('"MADE-UP MUE TABLE FOR CLAIMSCRUB TESTS: not CMS edits.",,,\r\n'
            '"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n')
    body = "".join(f"M{first + i:04d},1,1 Line Edit,MADE-UP\r\n" for i in range(rows))
    return (head + body).encode()


def test_an_edition_with_half_the_rows_of_the_last_one_is_refused_as_truncated(tmp_path, monkeypatch):
    data = tmp_path / "data"
    full = _bad_copy(tmp_path, "MUE-Practitioner-2026Q1.csv", _mue(1200))
    assert run("import", "mue", str(full), "--data-dir", str(data)).exit_code == 0
    cut = _bad_copy(tmp_path, "MUE-Practitioner-2026Q2.csv", _mue(500))  # cut at a line break: each row valid
    out = _refused(data, "mue", cut, [], f"{cut}: the table has 500 rows")
    assert "1,200 rows of edition 2026Q1" in out
    monkeypatch.setenv("CLAIMSCRUB_REFDATA_MIN_SHARE", "0")  # the user says it is right
    assert run("import", "mue", str(cut), "--data-dir", str(data)).exit_code == 0


def test_an_import_killed_midway_leaves_the_previous_edition_in_use(imported, tmp_path):
    """SIGKILL while a large (MADE-UP) PTP table is being written: the store opens, passes its
    integrity check, and holds exactly what it held before; the killed edition is not there."""
    before = state(imported)
    rows = "".join(f"{10000 + i % 90000:05d}\t{20000 + i % 70000:05d}\t\t20260401\t*\t1\tMADE-UP\r\n" for i in range(600_000))
    big = _bad_copy(tmp_path, "ccipra-v322r0-f1.txt", ("MADE-UP PTP TABLE FOR CLAIMSCRUB TESTS\r\nColumn 1\tColumn 2\t*\t"
                                                     "Effective Date\tDeletion Date\tModifier\tRationale\r\n" + rows).encode())
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", "refdata", "import", "ncci-ptp", str(big), "--data-dir",
                             str(imported)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = imported / "refdata.sqlite3-wal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and (not wal.exists() or wal.stat().st_size < 4 << 20):
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed: make the table bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(str(imported / "refdata.sqlite3"))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert state(imported) == before
    r = run("list", "--data-dir", str(imported))
    assert r.exit_code == 0 and "2026Q2" not in r.output
