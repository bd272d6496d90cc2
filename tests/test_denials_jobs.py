"""`audit --remits` with worker processes: the workers send back the join's claim keys, the parent joins.

The claims are the bundled sample claims (made up); the 835s are tests/remit_factory.py's.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import scrubber.jobs as jobs_mod
import scrubber.pipeline as pipeline_mod
from datadir import seeded
from proctools import in_one_process
from remit_factory import write_truth
from scrubber.cli import cli
from test_denials import CLAIMS


@pytest.fixture(scope="module")
def remits(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remits-jobs")
    write_truth(folder)
    return folder


def audit_json(tmp, remits, jobs: int, *extra: str) -> dict:
    out = tmp / f"audit-{jobs}.json"
    args = ["audit", str(CLAIMS), "--format", "json", "-o", str(out), "--data-dir", str(seeded(tmp / "data")), "-q",
            "--no-ledger", "--remits", str(remits), "--jobs", str(jobs), *extra]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    data["run"].pop("started")
    return data


@pytest.mark.parametrize("extra", [(), ("--since", "2025-02-24", "--until", "2025-02-28")])
def test_remits_with_two_workers_give_the_one_process_audit(tmp_path, remits, monkeypatch, extra):
    monkeypatch.setattr(pipeline_mod, "CHUNK", 2)  # nine claims in five chunks: both workers evaluate some
    parallel_runs = []
    real = jobs_mod.run_parallel

    def counted(*a, **k):
        parallel_runs.append(1)
        return real(*a, **k)

    with monkeypatch.context() as m:
        in_one_process(m)
        one = audit_json(tmp_path, remits, 1, *extra)
    monkeypatch.setattr(jobs_mod, "run_parallel", counted)
    for jobs in (1, 2):
        assert audit_json(tmp_path, remits, jobs, *extra) == one, jobs
    assert len(parallel_runs) == 2, "--remits with --jobs N must run in worker processes"
    d = one["denials"]
    assert d["matching"]["claims"] >= 1 and d["remittances"]["claim_payments"] == 11
    if not extra:
        assert d["matching"]["lines"]["matched"] == 15  # the line keys (REF*6R, codes, dates) came back whole


def test_remits_on_a_dask_cluster_give_the_one_process_audit(tmp_path, remits, monkeypatch):
    pytest.importorskip("distributed")
    extra = ("--since", "2025-02-24")  # a filter too: remittances of dropped claims are "outside the filters"
    with monkeypatch.context() as m:
        in_one_process(m)
        one = audit_json(tmp_path, remits, 1, *extra)
    dask = audit_json(tmp_path, remits, 2, "--dask", "local", *extra)
    assert dask == one and one["denials"]["matching"]["remittances_outside_filters"] >= 1
