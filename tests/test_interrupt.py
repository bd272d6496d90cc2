"""Ctrl-C in a long scrub or audit: the workers stop, the run exits 130 with one line and no traceback,
and the ledger lists the interrupted run as INCOMPLETE (never as a complete run of fewer claims).

The claims are bench/gen_837.py batches (made-up people, real code numbers).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scrubber.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402
from proctools import alive as _alive, children as _children

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")


@pytest.fixture(scope="module")
def long_batch(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("interrupt") / "long.837"
    p.write_bytes(gen_837.generate(6000, seed=8))
    return p


def _running_row(ledger: Path) -> bool:
    if not ledger.exists():
        return False
    try:
        with Ledger(str(ledger)) as db:
            return any(r.incomplete for r in db.runs())
    except Exception:  # noqa: BLE001 - being created by the run
        return False


@pytest.mark.parametrize("command", [["scrub"], ["audit", "run"]])
def test_ctrl_c_exits_130_and_the_ledger_marks_the_run_incomplete(long_batch, tmp_path, command):
    ledger = tmp_path / "ledger.sqlite3"
    out = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", *command, str(long_batch), "--jobs", "2",
                             "--format", "json", "-o", str(out), "--ledger", str(ledger)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(tmp_path))
    deadline = time.monotonic() + 180
    kids: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kids = {k for k in _children(proc.pid) if _alive(k)}
        if len(kids) >= 2 and _running_row(ledger):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"the run did not start two workers: {proc.stderr.read().decode()[-500:]}")
    time.sleep(1.0)  # mid-run
    os.kill(proc.pid, signal.SIGINT)
    code = proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    assert code == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not [k for k in kids if _alive(k)], "workers outlived the interrupted run"
    assert not out.exists(), "an interrupted run must not leave a report that looks whole"
    with Ledger(str(ledger)) as db:
        runs = db.runs()
    assert len(runs) == 1 and runs[0].incomplete and runs[0].claims_total == 0
    hist = subprocess.run([sys.executable, "-m", "scrubber", "audit", "history", "--ledger", str(ledger)],
                          capture_output=True, text=True, cwd=str(tmp_path))
    assert "INCOMPLETE" in hist.stdout
