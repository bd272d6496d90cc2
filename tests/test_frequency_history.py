"""Payer frequency limits (PAY-FREQ-001) count services kept in the audit ledger by earlier runs.

The claims are the MADE-UP preventive visits of fixtures/payers/made-up-payer-differences.json
(member 1EG4TE5MK73, 99397 on 2025-01-10 and on 2025-06-10) under the commercial-example
profile's EXAMPLE limit of one preventive visit per 365 days.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.fields.frequency import FrequencyTracker, PastService
from scrubber.ledger import Ledger
from scrubber.model.serialize import claim_from_dict
from datadir import seeded

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "payers" / "made-up-payer-differences.json"
MEMBER = "1EG4TE5MK73"
ONE_PER_YEAR = {"procedures": ["99385-99387", "99395-99397"], "max": 1, "per_days": 365, "scope": "member"}


def fixture_claims() -> dict[str, dict]:
    return {c["claim_id"]: c for c in json.loads(FIX.read_text())["claims"]}


@pytest.fixture
def batches(tmp_path):
    """January's visit and June's visit, each in its own batch file (JSON claims)."""
    claims = fixture_claims()
    paths = {}
    for name, cid in (("january", "MADE-UP-PAYER-PREVENTIVE-1"), ("june", "MADE-UP-PAYER-PREVENTIVE-2")):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps({"claims": [claims[cid]]}))
    return paths


def scrub(tmp_path, path, *more) -> dict:
    out = tmp_path / "out.json"
    r = CliRunner().invoke(cli, ["scrub", str(path), "--payer", "commercial-example", "--format", "json", "-o", str(out),
                                 "--data-dir", str(seeded(tmp_path / "data")), *more])
    assert r.exit_code in (0, 1), r.output
    return json.loads(out.read_text())


def audit(tmp_path, path, *more) -> dict:
    out = tmp_path / "audit.json"
    r = CliRunner().invoke(cli, ["audit", str(path), "--payer", "commercial-example", "--format", "json", "-o", str(out),
                                 "--data-dir", str(seeded(tmp_path / "data")), "-q", *more])
    assert r.exit_code == 0, r.output
    return json.loads(out.read_text())


def freq_messages(result: dict) -> list[str]:
    return [f["message"] for c in result["claims"] for f in c["findings"] if f["rule_id"] == "PAY-FREQ-001"]


def test_a_visit_in_an_earlier_run_counts_against_the_next_run(tmp_path, batches):
    ledger = str(tmp_path / "ledger.sqlite3")
    assert freq_messages(scrub(tmp_path, batches["january"], "--ledger", ledger)) == []
    second = freq_messages(scrub(tmp_path, batches["june"], "--ledger", ledger))
    assert len(second) == 1
    assert "already had 1 of these services since 2024-06-11" in second[0]
    assert "allows 1 per 365 days" in second[0]
    # without the ledger the June batch alone has nothing to count
    assert freq_messages(scrub(tmp_path, batches["june"], "--no-ledger")) == []
    # an audit reads the same history
    assert len(freq_messages(audit(tmp_path, batches["june"], "--ledger", ledger))) == 1


def test_a_claim_corrected_to_a_service_outside_the_limit_stops_counting(tmp_path, batches):
    # Found in review: the corrected claim's run kept no limited service, so the January visit it
    # replaced kept counting against June forever.
    ledger = str(tmp_path / "ledger.sqlite3")
    assert freq_messages(scrub(tmp_path, batches["january"], "--ledger", ledger)) == []
    corrected = fixture_claims()["MADE-UP-PAYER-PREVENTIVE-1"]
    corrected["lines"][0]["code"] = "99213"  # the same claim id, billed again as an office visit
    fixed = tmp_path / "january-corrected.json"
    fixed.write_text(json.dumps({"claims": [corrected]}))
    scrub(tmp_path, fixed, "--ledger", ledger)
    assert freq_messages(scrub(tmp_path, batches["june"], "--ledger", ledger)) == []


def test_a_claim_scrubbed_again_does_not_count_against_itself(tmp_path, batches):
    ledger = str(tmp_path / "ledger.sqlite3")
    scrub(tmp_path, batches["january"], "--ledger", ledger)
    assert freq_messages(scrub(tmp_path, batches["january"], "--ledger", ledger)) == []
    scrub(tmp_path, batches["june"], "--ledger", ledger)
    again = freq_messages(scrub(tmp_path, batches["june"], "--ledger", ledger))
    assert len(again) == 1 and "already had 1 of these" in again[0]  # January only, not June's own earlier run
    assert freq_messages(scrub(tmp_path, batches["january"], "--ledger", ledger)) == []  # June is after January


def test_the_ledger_keeps_only_hashed_keys_code_date_and_line_for_limited_services(tmp_path, batches):
    ledger = tmp_path / "ledger.sqlite3"
    scrub(tmp_path, batches["january"], "--ledger", str(ledger), "--ledger-phi")
    rows = sqlite3.connect(ledger).execute("SELECT member_key, claim_key, line, code, service_date"
                                           " FROM frequency_services").fetchall()
    assert len(rows) == 1
    member_key, claim_key, line, code, service_date = rows[0]
    assert (line, code, service_date) == (1, "99397", "2025-01-10")
    assert member_key.startswith("hmac-sha256:") and claim_key.startswith("hmac-sha256:")
    text = json.dumps(rows)
    assert MEMBER not in text and "PREVENTIVE" not in text  # hashed even with --ledger-phi
    with Ledger(str(ledger)) as db:
        assert member_key == db.member_key(MEMBER)
        assert claim_key == db.claim_key(MEMBER, "MADE-UP-PAYER-PREVENTIVE-1")


def test_services_outside_every_limit_are_not_kept(tmp_path):
    claims = fixture_claims()
    path = tmp_path / "office.json"
    path.write_text(json.dumps({"claims": [claims["MADE-UP-PAYER-FILED-DAY-100"]]}))  # a 99213, no limit
    ledger = tmp_path / "ledger.sqlite3"
    scrub(tmp_path, path, "--ledger", str(ledger))
    assert sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM frequency_services").fetchone() == (0,)


# --- the tracker and the ledger's history, without the CLI ------------------------------------

def made_up_claim(claim_id: str, dos: str) -> object:
    c = dict(fixture_claims()["MADE-UP-PAYER-PREVENTIVE-1"], claim_id=claim_id, service_from=dos, service_to=dos)
    c["lines"] = [dict(c["lines"][0], date_from=dos, date_to=dos)]
    return claim_from_dict(c)


def test_history_from_the_latest_run_of_a_corrected_claim_replaces_its_earlier_versions(tmp_path):
    with Ledger(str(tmp_path / "l.sqlite3")) as db:
        from scrubber.model import RunInfo, RunResult

        def record(services):
            db.record_run(RunResult(tool_version="t", run=RunInfo(started="2026-01-01T00:00:00+00:00")),
                          services=services)

        key = lambda cid: (db.member_key(MEMBER), db.claim_key(MEMBER, cid))  # noqa: E731
        record([PastService(*key("MADE-UP-A"), 1, "99397", date(2025, 1, 10))])
        record([PastService(*key("MADE-UP-A"), 1, "99397", date(2025, 2, 10))])  # the same claim, corrected
        record([PastService(*key("MADE-UP-B"), 1, "99396", date(2025, 3, 1))])
        history = sorted((s.code, s.service_date) for s in db.frequency_history())
        assert history == [("99396", date(2025, 3, 1)), ("99397", date(2025, 2, 10))]
        tracker = FrequencyTracker(db.frequency_history(), keys=db.keys())
        over = tracker.check_and_add(made_up_claim("MADE-UP-C", "2025-12-01"), [ONE_PER_YEAR])
        assert [o["prior_count"] for o in over] == [2]
        # claim A read again: its own earlier-run service gives way to this run's line
        over = tracker.check_and_add(made_up_claim("MADE-UP-A", "2025-02-10"), [ONE_PER_YEAR])
        assert over == []  # B (2025-03-01) is after A's date; A's own 2025-02-10 is not counted twice


def test_tracker_counted_lists_each_limited_line_once_for_the_ledger():
    tracker = FrequencyTracker()
    two_limits = [ONE_PER_YEAR, {"procedures": ["99397"], "max": 3, "per_days": 30}]
    tracker.check_and_add(made_up_claim("MADE-UP-D", "2025-01-10"), two_limits)
    assert [(s.line, s.code, s.service_date) for s in tracker.counted] == [(1, "99397", date(2025, 1, 10))]


def test_a_ledger_that_cannot_be_opened_stops_the_run_before_any_claim(tmp_path, batches):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the ledger's folder should be\n")
    out = tmp_path / "never.json"
    r = CliRunner().invoke(cli, ["scrub", str(batches["june"]), "--payer", "commercial-example", "--format", "json",
                                 "-o", str(out), "--data-dir", str(seeded(tmp_path / "data")),
                                 "--ledger", str(blocker / "ledger.sqlite3")])
    assert r.exit_code == 2
    assert "cannot open the ledger" in r.stderr and not out.exists()


def test_members_without_a_limited_service_cost_the_tracker_no_memory():
    """Most members of a batch have no service under a limit; the tracker, held by every worker for
    the whole batch, keeps nothing for them (it kept ~330 bytes a member: ~330 MB for a million members)."""
    import tracemalloc

    def claim(cid, member, code, dos):
        c = dict(fixture_claims()["MADE-UP-PAYER-PREVENTIVE-1"], claim_id=cid, service_from=dos, service_to=dos)
        c["subscriber"] = dict(c["subscriber"], member_id=member)
        c["lines"] = [dict(c["lines"][0], code=code, date_from=dos, date_to=dos)]
        return claim_from_dict(c)

    others = [claim(f"MADE-UP-{k}", f"MADEUP{k:06d}", "99213", "2025-03-01") for k in range(2000)]
    tracker = FrequencyTracker()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for c in others:
            assert tracker.check_and_add(c, [ONE_PER_YEAR]) == []
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown  # bytes for 2,000 members: nothing kept per member
    first, again = claim("MADE-UP-V1", "MADEUP000007", "99397", "2025-03-01"), claim("MADE-UP-V2", "MADEUP000007", "99397", "2025-09-01")
    assert tracker.check_and_add(first, [ONE_PER_YEAR]) == []
    assert [o["prior_count"] for o in tracker.check_and_add(again, [ONE_PER_YEAR])] == [1]  # still counted
