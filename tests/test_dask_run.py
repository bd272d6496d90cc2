"""audit run --dask: the session's LocalCluster of two worker processes on 127.0.0.1 (conftest's
``dask_cluster``, made as ``--dask local`` makes one) gives the findings of one process, claim by
claim (generated claims are bench/gen_837.py's MADE-UP ones; real code numbers)."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASK_GROUP

from scrubber.cli import cli
from scrubber.ledger import Ledger

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402


def _audit(paths: list[str], out: Path, *more: str) -> tuple[dict, list]:
    """The JSON report and the services the ledger recorded under frequency limits."""
    ledger = out.with_suffix(".sqlite3")
    res = CliRunner().invoke(cli, ["audit", "run", *paths, "-q", "--format", "json", "-o", str(out), "--ledger",
                                   str(ledger), "--payer", "commercial-example", *more], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    with Ledger(str(ledger)) as db:  # each ledger salts its own member keys: compare what was counted
        history = sorted((s.line, s.code, s.service_date) for s in db.frequency_history())
    return json.loads(out.read_text()), history


@DASK_GROUP
def test_a_dask_audit_finds_what_one_process_finds_claim_by_claim(tmp_path, dask_cluster):
    data = gen_837.generate(260, seed=21, claims_per_transaction=100)
    with gzip.open(tmp_path / "first.837.gz", "wb") as f:
        f.write(data)
    # the same services under other claim ids, in a later partition: duplicates across partitions
    (tmp_path / "later.837").write_bytes(data.replace(b"CLM*MADE-UP-0", b"CLM*MADE-UP-L"))
    paths = [str(tmp_path / "first.837.gz"), str(ROOT / "fixtures" / "x12" / "837-several-interchanges.837"),
             str(ROOT / "fixtures" / "x12" / "837p-custom-delimiters-crlf.837"),
             str(ROOT / "fixtures" / "x12" / "837p-one-line-bom.837"), str(tmp_path / "later.837")]
    one, one_history = _audit(paths, tmp_path / "one.json", "--jobs", "1")
    dask, dask_history = _audit(paths, tmp_path / "dask.json", "--dask", dask_cluster, "--jobs", "2")
    assert dask_history == one_history and one_history  # the ledger counts the same services
    where = lambda out: [(json.dumps(c["source"]), c["claim_id"]) for c in out["claims"]]  # noqa: E731
    assert where(dask) == where(one) and len(set(where(one))) == len(one["claims"])  # none lost or doubled
    assert dask["claims"] == one["claims"]
    rules = [f["rule_id"] for c in one["claims"] for f in c["findings"]]
    assert rules.count("INT-DUP-001") >= 260  # the later partition saw the first one's services
    assert sum(c["claim_id"].startswith("MADE-UP-0") for c in one["claims"]) == 260  # the .gz was read
