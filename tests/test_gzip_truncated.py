"""A truncated or corrupt .gz input: what decompresses is read, every claim in it accounted for,
and the break reported with its byte offset (issue 21 item 4)."""
from __future__ import annotations

import gzip
import io
import json
import re
import zlib

import pytest
from click.testing import CliRunner

from conftest import ROOT
from scrubber.cli import cli
from scrubber.readers.gunzip import GunzipStream

SRC = (ROOT / "fixtures" / "claims" / "professional.837").read_bytes()


def _scrub(path):
    res = CliRunner().invoke(cli, ["scrub", str(path), "--format", "json", "--no-ledger"], catch_exceptions=False)
    assert res.exit_code in (1, 3), res.output  # 3 (exitcodes.INPUT) when the truncation is reported
    return json.loads(res.stdout)


def _clm_count(data: bytes) -> int:
    return len(re.findall(rb"(?:^|[~\n])\s*CLM\*", data))


def test_a_whole_gzip_reads_as_the_plain_file(tmp_path):
    p = tmp_path / "whole.837.gz"
    p.write_bytes(gzip.compress(SRC))
    out = _scrub(p)
    assert out["summary"]["claims_total"] == _clm_count(SRC) == 5
    assert not [e for e in out["errors"] if "gzip" in e["message"]]


@pytest.mark.parametrize("keep", [0.97, 0.9, 0.7, 0.5])
def test_a_truncated_gzip_keeps_what_decompresses_and_reports_the_offset(tmp_path, keep):
    packed = gzip.compress(SRC)
    cut = int(len(packed) * keep)
    p = tmp_path / "cut.837.gz"
    p.write_bytes(packed[:cut])
    readable = zlib.decompressobj(31).decompress(packed[:cut])  # what any gunzip gives from the prefix
    out = _scrub(p)
    assert out["summary"]["claims_total"] == _clm_count(readable)
    if keep >= 0.9:
        assert out["summary"]["claims_total"] > 0  # claims before the break are not dropped
    ids = [c["claim_id"] for c in out["claims"]]
    assert len(ids) == len(set(ids))
    msgs = [e["message"] for e in out["errors"] if e["kind"] == "unreadable-file"]
    assert any("truncated" in m and f"byte {cut}" in m for m in msgs), msgs


def test_two_gzip_members_in_a_row_are_both_read():
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    s = GunzipStream(io.BytesIO(data))
    assert s.read() == b"first second" and s.problem is None


def test_corrupt_gzip_data_is_reported_not_raised():
    packed = bytearray(gzip.compress(SRC * 50))
    packed[len(packed) // 2] ^= 0xFF
    s = GunzipStream(io.BytesIO(bytes(packed)))
    got = s.read()
    assert len(got) < len(SRC * 50) or s.problem is not None
    assert s.problem is None or "byte" in s.problem
