"""The ledger: what each run recorded, PHI kept out, reproducible findings, and run diffs."""
from __future__ import annotations

import sqlite3

from report_fixtures import mixed_result
from stub_rules import HIGH, LOW, StubEvaluator
from test_split import MADE_UP_837P
from x12_testkit import records_from_x12

from scrubber.ledger import Ledger
from scrubber.ledger.diff import diff_runs
from scrubber.pipeline import ScrubOptions, run_scrub


def test_a_run_records_inputs_rule_packs_refdata_profiles_version_and_counts(tmp_path):
    with Ledger(str(tmp_path / "l.sqlite3")) as ledger:
        run_id = ledger.record_run(mixed_result(), kind="scrub")
        row = ledger.run(run_id)
        info = ledger.run_info(run_id)
    assert (row.kind, row.tool_version, row.claims_total, row.claims_flagged, row.claims_unreadable) == ("scrub", "0.0.0-test", 5, 2, 1)
    assert (row.findings_error, row.findings_warning, row.findings_info, row.run_errors) == (2, 1, 1, 2)
    assert row.charges_at_risk == "1384.50"
    assert info["inputs"] == [{"path": "fixtures/claims/made-up-batch.837", "sha256": "0" * 64}]
    assert info["rulesets"] == [{"id": "made-up-pack", "version": "1", "sha256": "1" * 64}]
    assert info["refdata"] == [{"kind": "ncci-ptp", "edition": "MADE-UP 2026Q4", "sha256": "2" * 64}]
    assert info["payer_profiles"] == [{"id": "made-up-commercial", "sha256": None}]


def test_member_ids_are_salted_hashes_unless_ledger_phi(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger(str(path)) as ledger:
        plain = ledger.record_run(mixed_result())
        again = ledger.record_run(mixed_result())
        phi = ledger.record_run(mixed_result(), phi=True)
        members = {r: [c["member"] for c in ledger.claims(r)] for r in (plain, again, phi)}
        messages = [f.message for f in ledger.findings(plain)]
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert members[plain][0].startswith("hmac-sha256:")
    assert members[plain] == members[again]  # the same member matches across runs of one ledger
    assert members[phi][:3] == ["MADEUPM001", "MADEUPM123", "MADEUPM002"]
    assert not any("MADEUPM123" in m for m in messages)  # the message quoted it: masked
    for secret in ("JANE", "1980-02-29", "19800229"):
        assert secret not in dump
    with Ledger(str(tmp_path / "other.sqlite3")) as other:
        assert other.member_hash("MADEUPM001") != members[plain][0]  # the salt is per ledger


def scrub(records_text, rule_set="A"):
    evaluator = StubEvaluator(rule_set)
    opts = ScrubOptions(paths=[], evaluator=evaluator, rulesets=evaluator.rulesets())
    return run_scrub(opts, records=records_from_x12(records_text, "made-up.837"))


def test_same_inputs_and_rules_give_identical_findings_in_the_same_order(tmp_path):
    with Ledger(str(tmp_path / "l.sqlite3")) as ledger:
        a = ledger.record_run(scrub(MADE_UP_837P))
        b = ledger.record_run(scrub(MADE_UP_837P))
        first, second = ledger.findings(a), ledger.findings(b)
        assert first and first == second
        d = diff_runs(ledger, a, b)
    assert (d.appeared, d.disappeared, d.changes) == ([], [], [])


def test_diff_shows_findings_that_appeared_and_disappeared_with_the_rule_change(tmp_path):
    with Ledger(str(tmp_path / "l.sqlite3")) as ledger:
        a = ledger.record_run(scrub(MADE_UP_837P, "A"))
        b = ledger.record_run(scrub(MADE_UP_837P, "B"))
        forward, backward = diff_runs(ledger, a, b), diff_runs(ledger, "last~1", "last")
        reverse = diff_runs(ledger, b, a)
    assert [(f.claim_id, f.rule_id) for f in forward.appeared] == [("MADE-UP-2", LOW), ("MADE-UP-3", LOW)]
    assert forward.disappeared == []
    assert [(f.claim_id, f.rule_id) for f in reverse.disappeared] == [("MADE-UP-2", LOW), ("MADE-UP-3", LOW)]
    assert backward.to_dict() == forward.to_dict()
    assert any(c.startswith("rule pack changed: made-up-pack A") for c in forward.changes)
    assert all(f.rule_id != HIGH for f in forward.appeared)


def test_a_run_is_recorded_whole_or_not_at_all(tmp_path):
    import dataclasses

    import pytest

    from scrubber.ledger import LedgerError

    result = mixed_result()
    result.claims.append(dataclasses.replace(result.claims[0], findings=(result.claims[0].findings[0],) * 2))
    with Ledger(str(tmp_path / "l.sqlite3")) as ledger:
        ledger.db.execute("CREATE TRIGGER boom BEFORE INSERT ON findings WHEN NEW.claim_seq = 5 "
                          "BEGIN SELECT RAISE(ABORT, 'made-up failure'); END")
        with pytest.raises(LedgerError):
            ledger.record_run(result)
        assert ledger.runs() == []
        assert ledger.db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
