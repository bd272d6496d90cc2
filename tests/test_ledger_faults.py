"""Ledger faults and PHI (issue 19): an audit killed at any point leaves a ledger that opens with the
run marked incomplete; two audits writing one ledger at once are both recorded; no patient name,
member id or birth date of the fixture in any log line, progress output or ledger row by default;
the pseudonym key is not kept in the ledger."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from scrubber.ledger import Ledger
from datadir import seeded

FIXTURE = ROOT / "fixtures" / "claims" / "professional.837"


@pytest.fixture(autouse=True)
def _own_key_file(tmp_path, monkeypatch):
    """This test's pseudonym key file, shared by the test process and the runs it starts."""
    monkeypatch.delenv("CLAIMSCRUB_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("CLAIMSCRUB_PSEUDONYM_KEY_FILE", str(tmp_path / "cfg" / "pseudonym.key"))


def _env(tmp_path) -> dict:
    return dict(os.environ, CLAIMSCRUB_DATA_DIR=str(seeded(tmp_path / "data")), CLAIMSCRUB_PSEUDONYM_KEY_FILE=str(tmp_path / "cfg" / "pseudonym.key"),
                PYTHONPATH=str(ROOT))


def _audit(tmp_path, src, ledger, out_name="r.html", pipes=True):
    # A killed audit's forked workers may outlive it for a while (issue 21 item 3, another branch):
    # they hold inherited pipes, so the killed runs write to files, not pipes.
    out = subprocess.PIPE if pipes else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "scrubber", "audit", "run", str(src), "--ledger", str(ledger),
                             "-o", str(tmp_path / out_name)], cwd=str(ROOT), env=_env(tmp_path),
                            stdout=out, stderr=out, start_new_session=not pipes)


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    from bench.gen_837 import generate

    p = tmp_path_factory.mktemp("batch") / "made-up-3000.837"
    p.write_bytes(generate(3000, seed=3))
    return p


def test_an_audit_killed_at_any_point_leaves_a_ledger_that_opens_with_the_run_incomplete(tmp_path, big_batch):
    ledger = tmp_path / "ledger.sqlite3"
    killed_running = 0
    for delay in (None, 0.0, 1.0, 3.0):  # before the ledger is opened, then at points after the run began
        proc = _audit(tmp_path, big_batch, ledger, pipes=False)
        if delay is None:
            time.sleep(0.3)
        else:
            _wait_for_running_row(ledger, proc)
            time.sleep(delay)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:  # the workers it forked, if any survived it (their own session: nothing else is in it)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        killed_running += alive
        if ledger.exists():
            with Ledger(str(ledger)) as db:  # opens: SQLite rolled back whatever was half written
                runs = db.runs()
                assert all(r.status in ("running", "complete") for r in runs)
                assert sqlite3.connect(ledger).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert killed_running >= 2  # the kills did land mid-run
    with Ledger(str(ledger)) as db:
        runs = db.runs()
    assert any(r.incomplete for r in runs)
    hist = subprocess.run([sys.executable, "-m", "scrubber", "audit", "history", "--ledger", str(ledger)], cwd=str(ROOT),
                          env=_env(tmp_path), capture_output=True, text=True)
    assert "INCOMPLETE" in hist.stdout


def _wait_for_running_row(ledger, proc, timeout: float = 300.0) -> None:
    t = time.monotonic()
    while time.monotonic() - t < timeout and proc.poll() is None:
        try:
            con = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1)
            try:
                if con.execute("SELECT 1 FROM runs WHERE status = 'running'").fetchone():
                    return
            finally:
                con.close()
        except sqlite3.Error:
            pass
        time.sleep(0.05)


def test_two_audits_writing_one_ledger_at_once_are_both_recorded(tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    procs = [_audit(tmp_path, FIXTURE, ledger, f"r{i}.html") for i in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode in (0, 1), err.decode()
    with Ledger(str(ledger)) as db:
        runs = db.runs()
    assert len(runs) == 2 and all(r.status == "complete" and r.claims_total == 5 for r in runs)


def _phi_values() -> set[str]:
    text = FIXTURE.read_text()
    values = set()
    for m in re.finditer(r"NM1\*(?:IL|QC)\*1\*([^*~]*)\*([^*~]*)(?:\*[^*~]*){3}(?:\*MI\*([^*~]*))?", text):
        values.update(v for v in (f"{m.group(1)}*{m.group(2)}", m.group(2), m.group(3)) if v)
    for m in re.finditer(r"DMG\*D8\*(\d{8})", text):
        d = m.group(1)
        values.update({d, f"{d[:4]}-{d[4:6]}-{d[6:]}"})
    return values


def test_no_phi_in_any_log_line_progress_output_or_ledger_row_by_default(tmp_path):
    phi = _phi_values()
    assert any(v.startswith("MADEUP1") for v in phi) and any(len(v) == 8 and v.isdigit() for v in phi)
    ledger = tmp_path / "ledger.sqlite3"
    env = _env(tmp_path)
    outputs = []
    for args in (["scrub", str(FIXTURE), "--format", "json", "-o", str(tmp_path / "r.json"), "--ledger", str(ledger),
                  "--clean-out", str(tmp_path / "c.837"), "--held-out", str(tmp_path / "h.837")],
                 ["audit", "run", str(FIXTURE), "--ledger", str(ledger), "-o", str(tmp_path / "a.html")],
                 ["audit", "history", "--ledger", str(ledger)], ["audit", "show", "last", "--ledger", str(ledger)]):
        res = subprocess.run([sys.executable, "-m", "scrubber", *args], cwd=str(ROOT), env=env, capture_output=True, text=True)
        assert res.returncode in (0, 1), res.stderr
        outputs += [res.stderr, res.stdout if args[0] == "audit" else ""]
    dump = "\n".join(sqlite3.connect(ledger).iterdump())
    for value in phi:
        for i, text in enumerate(outputs + [dump]):
            assert value not in text, (value, i)
    key = (tmp_path / "cfg" / "pseudonym.key")
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert key.read_text().strip() not in dump  # the key is not beside the hashes
    ids = sorted(v for v in phi if re.fullmatch(r"MADEUP\d+", v))
    with Ledger(str(ledger)) as db:  # one pseudonym per member: the key frequency history uses too
        members = {c["member"] for c in db.claims("last")}
        assert members == {db.keys().member_key(i) for i in ids}


def test_a_ledger_opened_with_another_key_is_refused(tmp_path, monkeypatch):
    path = str(tmp_path / "l.sqlite3")
    monkeypatch.setenv("CLAIMSCRUB_PSEUDONYM_KEY", "made-up key one")
    Ledger(path).close()
    monkeypatch.setenv("CLAIMSCRUB_PSEUDONYM_KEY", "made-up key two")
    from scrubber.ledger import LedgerError

    with pytest.raises(LedgerError, match="another pseudonym key"):
        Ledger(path)
