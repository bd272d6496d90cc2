"""--jobs N: the same outputs as one process, a crash costs only its chunk, workers die with the parent.

The 837 batches are bench/gen_837.py's MADE-UP claims (real codes); the second file repeats the first,
so every one of its services repeats a service of an earlier claim in another chunk (INT-DUP-001),
and the commercial-example profile's frequency limit counts preventive visits across chunks.
"""
from __future__ import annotations

import faulthandler
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402
from proctools import alive as _alive, children as _children, in_one_process


@pytest.fixture(scope="session")
def batch_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("jobs-batch")
    data = gen_837.generate(450, seed=11, claims_per_transaction=120)
    (d / "a.837").write_bytes(data)
    # the same services under other claim ids: duplicates across chunks and files
    (d / "b.837").write_bytes(data.replace(b"CLM*MADE-UP-0", b"CLM*MADE-UP-B"))
    return d


def _inputs(batch_dir: Path) -> list[str]:
    # the readable fixtures only: an unreadable file makes the run exit 3 and withdraws the clean file
    fixtures = sorted(str(p) for p in (ROOT / "fixtures" / "x12").glob("*.837"))
    return [str(batch_dir / "a.837"), *fixtures, str(batch_dir / "b.837")]


def _scrub(args: list[str]):
    return CliRunner().invoke(cli, ["scrub", *args], catch_exceptions=False)


def _no_time(text: str) -> str:
    return re.sub(r'"(started|finished)": "[^"]*"', '"\\1": "X"', text)


def test_jobs_1_and_2_give_byte_identical_json_csv_837_and_ledger(batch_dir, tmp_path, monkeypatch):
    import scrubber.writers.x12_split as x12_split

    monkeypatch.setattr(x12_split, "default_control_start", lambda: 4242)  # control numbers come from the clock
    outs = {}
    for jobs in (0, 1, 2):  # 0: --jobs 1 evaluated in this process, the reference
        d = tmp_path / f"j{jobs}"
        d.mkdir()
        common = [*_inputs(batch_dir), "--payer", "commercial-example", "--jobs", str(max(jobs, 1)), "--fail-on", "error"]
        with monkeypatch.context() as m:
            if not jobs:
                in_one_process(m)
            res = _scrub([*common, "--format", "json", "-o", str(d / "out.json"), "--clean-out", str(d / "clean.837"),
                          "--held-out", str(d / "held.837"), "--ledger", str(d / "ledger.sqlite3")])
            assert res.exit_code == 1, res.output
            res = _scrub([*common, "--format", "csv", "-o", str(d / "out.csv"), "--no-ledger"])
        with Ledger(str(d / "ledger.sqlite3")) as db:
            # each ledger salts its own member keys (and orders by them): compare what was counted
            history = sorted((s.line, s.code, s.service_date) for s in db.frequency_history())
        outs[jobs] = {name: (d / name).read_bytes() for name in ("out.json", "out.csv", "clean.837", "held.837")}
        outs[jobs]["history"] = history
    one = outs[0]
    # the run records the split files' own paths (run.split_outputs): each run wrote into its own folder
    a = _no_time(one["out.json"].decode()).replace(str(tmp_path / "j0"), "OUT")
    for jobs in (1, 2):
        two = outs[jobs]
        b = _no_time(two["out.json"].decode()).replace(str(tmp_path / f"j{jobs}"), "OUT")
        assert a == b, "".join(list(__import__("difflib").unified_diff(a.splitlines(True), b.splitlines(True)))[:40])
        for name in ("out.csv", "clean.837", "held.837"):
            assert one[name] == two[name], (jobs, name)
        assert one["history"] == two["history"] and one["history"]  # services counted under the limit, recorded
    result = json.loads(one["out.json"])
    rules = [f["rule_id"] for c in result["claims"] for f in c["findings"]]
    assert rules.count("INT-DUP-001") >= 450 and "PAY-FREQ-001" in rules  # cross-chunk relations were exercised
    generated = [c for c in result["claims"] if re.fullmatch(r"MADE-UP-[0B]\d+", c["claim_id"])]
    assert len(generated) == 900 and len(result["claims"]) > 900  # every claim once, fixtures included
    assert result["errors"], "the fixtures' reader errors are reported"


def test_jobs_1_and_2_give_byte_identical_json_when_results_cross_as_blocks(batch_dir, monkeypatch):
    """No --clean-out: the workers' results reach the parent as pickled blocks with their JSON text."""
    outs = []
    for jobs in (0, 1, 2):  # 0: in this process, the reference
        with monkeypatch.context() as m:
            if not jobs:
                in_one_process(m)
            res = _scrub([*_inputs(batch_dir), "--payer", "commercial-example", "--format", "json", "--no-ledger",
                          "--jobs", str(max(jobs, 1)), "--fail-on", "never"])
        assert res.exit_code == 0, res.output
        outs.append(_no_time(res.stdout))
    assert outs[0] == outs[1] == outs[2]
    result = json.loads(outs[1])
    assert result["summary"]["claims_total"] == len(result["claims"]) > 900 and result["summary"]["claims_flagged"]


def _crash_on(monkeypatch, claim_id: str, once_flag: Path | None = None) -> None:
    """The forked workers inherit this patch: evaluating the chunk holding ``claim_id`` aborts the worker."""
    import scrubber.pipeline as pipeline

    real = pipeline.evaluate_chunk

    def crashing(opts, pending):
        if os.getpid() != parent and any(r.claim_id == claim_id for r in pending):
            if once_flag is None or not once_flag.exists():
                if once_flag is not None:
                    once_flag.write_text("x")
                faulthandler.disable()  # pytest's traceback dump is inherited; the abort is the point
                os.abort()
        return real(opts, pending)

    parent = os.getpid()
    monkeypatch.setattr(pipeline, "evaluate_chunk", crashing)


def _json_run(batch_dir, jobs: int) -> dict:
    res = _scrub([*_inputs(batch_dir), "--format", "json", "--no-ledger", "--jobs", str(jobs), "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def serial(batch_dir) -> dict:
    """The one-process result the crash tests compare with: one run for all (nothing patched yet)."""
    with pytest.MonkeyPatch.context() as m:
        in_one_process(m)
        return _json_run(batch_dir, 1)


@pytest.mark.parametrize("jobs", [1, 2])  # --jobs 1 is one worker: a crash costs it no more than with two
def test_a_worker_dying_once_costs_a_rerun_of_its_chunk_and_nothing_else(batch_dir, serial, tmp_path, monkeypatch, jobs):
    victim = serial["claims"][250]["claim_id"]
    _crash_on(monkeypatch, victim, once_flag=tmp_path / "crashed")
    got = _json_run(batch_dir, jobs)
    assert (tmp_path / "crashed").exists()
    assert got["claims"] == serial["claims"]
    extra = [e for e in got["errors"] if e not in serial["errors"]]
    assert [e["kind"] for e in extra] == ["engine-retry"] and "re-run and completed" in extra[0]["message"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_chunk_whose_worker_always_dies_is_reported_and_the_rest_of_the_batch_goes_on(batch_dir, serial, monkeypatch, jobs):
    victim = serial["claims"][250]["claim_id"]
    _crash_on(monkeypatch, victim)
    got = _json_run(batch_dir, jobs)
    assert [c["claim_id"] for c in got["claims"]] == [c["claim_id"] for c in serial["claims"]]  # none lost
    lost = [k for k, (a, b) in enumerate(zip(serial["claims"], got["claims"])) if a != b]
    assert 250 in lost and len(lost) <= 100  # one chunk, no more
    assert all(got["claims"][k]["status"] == "unreadable" for k in lost)
    crash = [e for e in got["errors"] if e["kind"] == "worker-crash"]
    assert len(crash) == 1 and victim in crash[0]["message"]


def test_clean_and_held_files_of_a_run_whose_worker_always_dies_on_a_chunk_set_that_chunk_aside(batch_dir, serial,
                                                                                                 tmp_path, monkeypatch):
    """--clean-out/--held-out with workers: each claim's route and X12 come back beside the chunk's
    pickled block (``SplitWriter.route``); the claims of a chunk no worker could evaluate are written
    to neither file and named with the reason, every other claim goes where a serial run puts it."""
    import scrubber.writers.x12_split as x12_split

    monkeypatch.setattr(x12_split, "default_control_start", lambda: 4242)
    lost = [c["claim_id"] for c in serial["claims"][200:300]]  # the chunk holding claim 250
    _crash_on(monkeypatch, serial["claims"][250]["claim_id"])  # fires in workers only
    sides = {}
    for jobs in (0, 1, 2):  # 0: evaluated in this process, the reference; --jobs 1 is one worker
        d = tmp_path / f"j{jobs}"
        d.mkdir()
        with monkeypatch.context() as m:
            if not jobs:
                in_one_process(m)
            res = _scrub([*_inputs(batch_dir), "--jobs", str(max(jobs, 1)), "--no-ledger", "--format", "json",
                          "-o", str(d / "out.json"), "--clean-out", str(d / "clean.837"), "--held-out", str(d / "held.837")])
        assert res.exit_code == 1, res.output
        sides[jobs] = {side: re.findall(rb"~?CLM\*([^*]+)", (d / f"{side}.837").read_bytes()) for side in ("clean", "held")}
        sides[jobs]["stderr"] = res.stderr
    gone = {x.encode() for x in lost}
    ref = sides[0]
    for jobs in (1, 2):
        two = sides[jobs]
        for side in ("clean", "held"):
            assert two[side] == [x for x in ref[side] if x not in gone] and two[side]
        assert len(ref["clean"]) + len(ref["held"]) - len(two["clean"]) - len(two["held"]) == len(lost)
        assert all(f"{x} (" in two["stderr"] for x in lost)
        assert "unreadable: the worker evaluating this claim's chunk died" in two["stderr"]


@pytest.fixture(scope="session")
def big_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("jobs-big") / "big.837"
    p.write_bytes(gen_837.generate(6000, seed=4))
    return p


def _start_audit(big_file: Path, tmp_path: Path, jobs: int = 2) -> tuple[subprocess.Popen, set[int]]:
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", "audit", "run", str(big_file), "--jobs", str(jobs), "-q",
                             "--format", "json", "-o", str(tmp_path / "report.json"),
                             "--ledger", str(tmp_path / "ledger.sqlite3")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    kids: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kids = {k for k in _children(proc.pid) if _alive(k)}
        if len(kids) >= jobs:
            time.sleep(1.0)  # mid-run: the workers are reading and evaluating
            return proc, kids
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the audit did not start {jobs} workers (children {kids}): {proc.stderr.read().decode()[-500:]}")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
@pytest.mark.parametrize("jobs", [1, 2])  # the scrub workers: one for --jobs 1
def test_workers_die_when_the_audit_parent_is_killed(big_file, tmp_path, jobs):
    proc, kids = _start_audit(big_file, tmp_path, jobs)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.1)
    assert not [k for k in kids if _alive(k)], "workers outlived their killed parent"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_ctrl_c_stops_the_workers_and_records_nothing(big_file, tmp_path):
    proc, kids = _start_audit(big_file, tmp_path)
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) != 0
    assert not [k for k in kids if _alive(k)]
    ledger = tmp_path / "ledger.sqlite3"
    if ledger.exists():
        with Ledger(str(ledger)) as db:
            assert [r for r in db.runs() if not r.incomplete] == []  # an interrupted run is marked incomplete, never complete


@pytest.mark.parametrize("crash", [False, True])
def test_the_html_report_from_the_workers_digest_is_the_one_a_pass_over_the_results_gives(batch_dir, serial, monkeypatch,
                                                                                        crash):
    """The HTML report's totals, capped claim table and finding rows are gathered by the workers
    beside their blocks (``scrubber.report.html_digest``); with small caps the workers' cut-offs are
    exercised, and a chunk whose worker always dies is added by the parent."""
    from lxml import etree

    import scrubber.report.html_digest as html_digest
    from scrubber.cli.audit_cmd import prepare
    from scrubber.pipeline import run_scrub
    from scrubber.report import html

    monkeypatch.setattr(html_digest, "MAX_TABLE_ROWS", 15)  # fewer than the first chunk flags
    monkeypatch.setattr(html_digest, "FINDINGS_PER_RULE", 3)
    monkeypatch.setattr(html_digest, "FINDINGS_ROWS", 40)
    if crash:
        _crash_on(monkeypatch, serial["claims"][250]["claim_id"])
    prepared = prepare(None, None, (), (), False, None)
    try:
        opts = prepared.options(_inputs(batch_dir))
        opts.jobs = 2
        opts.html_digest = html_digest.HtmlDigest()
        result = run_scrub(opts)
    finally:
        prepared.close()
    assert opts.html_digest.count == len(result.claims) > 900
    assert any(c.status == "unreadable" for c in result.claims) == crash

    def page(digest) -> str:
        return etree.tostring(html.build(result, digest=digest), method="html", encoding="unicode")

    gathered, one_pass = page(opts.html_digest), page(None)
    assert gathered == one_pass
    assert "more claims are counted above but not listed" in gathered and "more findings of" in gathered
