"""Large files cut at interchange boundaries for Dask: the scan reads each ISA's own delimiters, and
the parts read back give the whole file's records, segment numbers and run errors, none lost or
doubled (generated claims: bench/gen_837.py's MADE-UP people, real code numbers)."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASK_GROUP

import scrubber.dask_split as split_mod
from scrubber.dask_split import read_partition, split_file
from scrubber.model import ClaimRecord, RunError
from scrubber.pipeline import claim_result
from scrubber.readers import iter_records

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402


def mixed_file(path: Path) -> Path:
    """A BOM, then three interchanges with other delimiters each: ``*`` and a bare LF as the
    terminator, ``*`` and ``~``+LF (with a blank segment the tokenizer skips, and an SE01 that
    miscounts: a located run error), ``|`` and ``'``+CRLF."""
    a = gen_837.generate(150, seed=31, claims_per_transaction=50)
    a = a.replace(b"DTP*472*D8*", b"~\nDTP*472*D8*", 1)  # "~\n~": an empty segment, not counted
    a = a.replace(b"SE*", b"SE*9", 1)
    b = gen_837.generate(90, seed=32, claims_per_transaction=40, segment_terminator="'\r\n").replace(b"*", b"|")
    c = gen_837.generate(60, seed=33, claims_per_transaction=30, segment_terminator="\n")
    assert b"'" not in a + c and b"|" not in a + c
    path.write_bytes(b"\xef\xbb\xbf" + c + a + b"\r\n" + b)
    return path


def _as_rows(records) -> list:
    rows = []
    for rec in records:
        if isinstance(rec, RunError):
            rows.append(("error", rec.to_dict()))
        elif isinstance(rec, ClaimRecord):
            rows.append(("claim", claim_result(rec, []).to_dict(), rec.source.segment))
    return rows


def test_the_parts_of_a_mixed_delimiter_file_read_back_as_the_whole_file(tmp_path):
    path = mixed_file(tmp_path / "mixed.837")
    parts = split_file(str(path), target=1)  # cut at every interchange boundary
    assert len(parts) == 3
    data = path.read_bytes()
    assert parts[0].start == 0 and all(data[p.start:p.start + 3] == b"ISA" for p in parts[1:])
    assert [p.end for p in parts[:-1]] == [p.start for p in parts[1:]] and parts[-1].end is None
    whole = _as_rows(iter_records([str(path)]))
    pieces = [row for p in parts for row in _as_rows(read_partition(p))]
    assert pieces == whole
    assert sum(r[0] == "claim" for r in whole) == 300 and not [r for r in whole if r[0] == "error" and "ISA" in r[1]["message"]]
    se01 = [f["location"]["segment"] for r in whole if r[0] == "claim" for f in r[1]["findings"] if f["rule_id"] == "X12-SE01"]
    assert se01 and all(parts[1].first_segment < s <= parts[2].first_segment for s in se01)  # located in the 2nd part
    # the second interchange's first claim is numbered from its offset, not from 1
    isa2 = parts[1].first_segment + 1
    assert isa2 > 1000 and all(r[2] > isa2 for r in _as_rows(read_partition(parts[1])) if r[0] == "claim")


def test_a_cut_partition_reads_with_young_gc_spaced_and_hands_records_over_at_the_callers_setting(tmp_path, monkeypatch):
    import gc

    from scrubber.readers import _READER_GEN0

    path = mixed_file(tmp_path / "mixed.837")
    part = split_file(str(path), target=1)[1]  # a middle part: read through RangeReader, not iter_records
    while_reading = []
    read = split_mod.RangeReader.read

    def spy(self, n=-1):
        while_reading.append(gc.get_threshold())
        return read(self, n)

    monkeypatch.setattr(split_mod.RangeReader, "read", spy)
    old = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        handed_over = {gc.get_threshold() for _ in read_partition(part)}
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*old)
    assert while_reading and {t[0] for t in while_reading} == {_READER_GEN0}
    assert handed_over == {(700, 10, 10)} and after == (700, 10, 10)


def test_a_file_the_scan_is_not_sure_of_is_one_partition(tmp_path):
    p = tmp_path / "no-iea.837"
    p.write_bytes(gen_837.generate(40, seed=3).replace(b"IEA*", b"XEA*") + gen_837.generate(40, seed=4))
    assert len(split_file(str(p), target=1)) == 1
    g = tmp_path / "mixed.837.gz"
    with gzip.open(g, "wb") as f:
        f.write(mixed_file(tmp_path / "m.837").read_bytes())
    assert len(split_file(str(g), target=1)) == 1  # compressed: one partition
    small = tmp_path / "small.837"
    small.write_bytes(gen_837.generate(5, seed=5) * 2)
    assert len(split_file(str(small))) == 1  # under the partition size


@DASK_GROUP
def test_a_dask_audit_of_a_split_file_and_a_gz_finds_what_one_process_finds(tmp_path, monkeypatch, dask_cluster):
    from scrubber.cli import cli

    mixed = mixed_file(tmp_path / "mixed.837")
    with gzip.open(tmp_path / "more.837.gz", "wb") as f:
        f.write(gen_837.generate(70, seed=34).replace(b"CLM*MADE-UP-", b"CLM*MADE-UP-G"))
    monkeypatch.setattr(split_mod, "PARTITION_BYTES", 1)
    made = []
    real = split_mod.partitions
    monkeypatch.setattr(split_mod, "partitions", lambda files, target: made.extend(real(files, target)) or made)

    def audit(out: Path, *more: str) -> dict:
        res = CliRunner().invoke(cli, ["audit", "run", str(mixed), str(tmp_path / "more.837.gz"), "-q", "--format",
                                       "json", "-o", str(out), "--no-ledger", *more], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        data = json.loads(out.read_text())
        data["run"].pop("started")
        return data

    one = audit(tmp_path / "one.json", "--jobs", "1")
    dask = audit(tmp_path / "dask.json", "--dask", dask_cluster, "--jobs", "2")
    assert len(made) == 4  # three parts of the mixed file, one for the .gz
    assert [c["claim_id"] for c in dask["claims"]] == [c["claim_id"] for c in one["claims"]]
    assert len(one["claims"]) == 370
    assert dask["claims"] == one["claims"]  # claim by claim: findings, segment numbers, envelopes
    assert dask["errors"] == one["errors"] and dask["summary"] == one["summary"]
