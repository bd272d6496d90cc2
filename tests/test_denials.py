"""`claimscrub audit --remits`: findings of the bundled sample claims against 835s with a known truth.

The 835s are written by tests/remit_factory.py from the sample 837 / JSON claims in
fixtures/claims (made up). The truth, per claim (D = denied, with CARC and amount):

payer MADE-UP HEALTH PLAN (99901)
  PRO-001 clean      paid (CO 45 + PR 2 on line 1), then reversed (CLP02 22), then paid again
  PRO-002 INT-BAL-001 (balance, claim level)     D claim-level CO 16  190.00   caught
  PRO-003 INT-DXPTR-001 (data-integrity, line 1) D line 1 CO 16       110.00   caught (same line)
  PRO-004 INT-NPI-001 (data-integrity)           paid (CO 45 30.00)            false alarm: 130.00 charged, 100.00 paid
  PRO-005 clean                                  D line 1 CO 97       130.00   not caught (no NCCI table)
  JSON-002 COD-DX-002 (code-validity)            D line 1 CO 146      110.00   caught
  JSON-001                                       no remittance
  MADE-UP-NOSUCH-001                             D CO 18 75.00, no such claim
payer MADE-UP MEDICARE CONTRACTOR (99904)
  INS-001 clean                                  D claim-level CO 29  550.00   not caught
  INS-002 INT-DATE-005 (data-integrity, line 3)  D line 1 CO 16      3600.00   not caught (finding on line 3)
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from remit_factory import write_truth
from scrubber.cli import cli
from datadir import seeded

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "fixtures" / "claims"


def run_audit(tmp: Path, *extra: str, fmt: str = "json") -> tuple[int, str]:
    out = tmp / f"audit.{fmt}"
    args = ["audit", str(CLAIMS), "--format", fmt, "-o", str(out), "--data-dir", str(seeded(tmp / "data")), "-q", *extra]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    return res.exit_code, out.read_text(encoding="utf-8") if out.exists() else res.output


@pytest.fixture(scope="session")
def remit_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remits")
    write_truth(folder)
    return folder


@pytest.fixture(scope="session")
def audited(remit_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("audit")
    code, text = run_audit(tmp, "--no-ledger", "--remits", str(remit_dir))
    assert code == 0, text
    return tmp / "audit.json", json.loads(text)


def by(rows, key):
    return {r[key]: r for r in rows}


def test_every_remittance_claim_payment_is_accounted_for(audited):
    r = audited[1]["denials"]["remittances"]
    assert r["claim_payments"] == 11 and r["unreadable"] == 0
    assert (r["reversals"], r["reversed"], r["superseded"]) == (1, 1, 0)
    assert r["standing"] == 9
    assert r["standing"] + r["reversals"] + r["reversed"] + r["superseded"] + r["unreadable"] == r["claim_payments"]


def test_unmatched_claims_and_remittances_are_reported_on_both_sides(audited):
    m = audited[1]["denials"]["matching"]
    assert m["claims"] == 9 and m["claims_with_remittance"] == 8
    assert m["unmatched_claim_ids"] == ["MADE-UP-JSON-001"]
    assert m["unmatched_remittance_ids"] == ["MADE-UP-NOSUCH-001"]
    assert m["remittances_outside_filters"] == 0
    assert m["lines"]["svc_lines"] == 15 and m["lines"]["matched"] == 15 and m["lines"]["unmatched_svc_lines"] == 0
    assert audited[1]["denials"]["totals"]["denied_amount_without_claim"] == 75.0


def test_every_denied_dollar_is_caught_or_not_caught(audited):
    d = audited[1]["denials"]
    t = d["totals"]
    assert t["denied_claims"] == 6 and t["denials"] == 6
    assert (t["denied_amount"], t["caught_amount"], t["not_caught_amount"]) == (4690.0, 410.0, 4280.0)
    assert t["caught_amount"] + t["not_caught_amount"] == t["denied_amount"]
    for table in ("by_category", "by_payer"):
        rows = d[table]
        assert sum(x["denied_amount"] for x in rows) == pytest.approx(t["denied_amount"])
        assert sum(x["caught_amount"] for x in rows) == pytest.approx(t["caught_amount"])
        assert sum(x["denials"] for x in rows) == t["denials"]
        for x in rows:
            assert x["caught_amount"] + x["not_caught_amount"] == pytest.approx(x["denied_amount"])


def test_dollars_by_category_and_payer(audited):
    d = audited[1]["denials"]
    cat = by(d["by_category"], "category")
    assert set(cat) == {"data-integrity", "code-validity", "ncci-ptp", "payer-policy"}
    assert (cat["data-integrity"]["denied_amount"], cat["data-integrity"]["caught_amount"]) == (3900.0, 300.0)
    assert (cat["code-validity"]["denied_amount"], cat["code-validity"]["caught_amount"]) == (110.0, 110.0)
    assert (cat["ncci-ptp"]["caught_amount"], cat["payer-policy"]["not_caught_amount"]) == (0.0, 550.0)
    payer = by(d["by_payer"], "payer")
    assert (payer["MADE-UP HEALTH PLAN"]["denied_amount"], payer["MADE-UP HEALTH PLAN"]["caught_amount"]) == (540.0, 410.0)
    assert (payer["MADE-UP MEDICARE CONTRACTOR"]["denied_amount"], payer["MADE-UP MEDICARE CONTRACTOR"]["caught_amount"]) == (4150.0, 0.0)


def test_per_rule_precision_recall_dollars_and_false_alarms(audited):
    rules = by(audited[1]["denials"]["by_rule"], "rule_id")
    assert {"COD-DX-002", "INT-BAL-001", "INT-DATE-005", "INT-DXPTR-001", "INT-NPI-001"} <= set(rules)
    want = {  # flagged, flagged & denied, denied & not flagged, precision, recall, prevented, false-alarm charges / paid
        "COD-DX-002": (1, 1, 3, 1.0, 0.25, 110.0, 0.0, 0.0),
        "INT-BAL-001": (1, 1, 2, 1.0, 0.3333, 190.0, 0.0, 0.0),
        "INT-DXPTR-001": (1, 1, 2, 1.0, 0.3333, 110.0, 0.0, 0.0),
        "INT-DATE-005": (1, 0, 3, 0.0, 0.0, 0.0, 4150.0, 550.0),
        "INT-NPI-001": (1, 0, 3, 0.0, 0.0, 0.0, 130.0, 100.0),
    }
    for rule_id, figures in want.items():
        r = rules[rule_id]
        got = (r["claims_flagged"], r["flagged_and_denied"], r["denied_not_flagged"], r["precision"], r["recall"],
               r["dollars_prevented"], r["false_alarm_charges"], r["false_alarm_paid"])
        assert got == figures, rule_id
    for rule_id in set(rules) - set(want):  # rules that never fired are listed only for denials they missed
        assert rules[rule_id]["claims_flagged"] == 0 and rules[rule_id]["denied_not_flagged"] > 0, rule_id
        assert (rules[rule_id]["precision"], rules[rule_id]["recall"]) == (None, 0.0)
    # the timely-filing rule exists but did not fire on INS-001's CO 29; the NCCI rules missed PRO-005's CO 97
    assert rules["PAY-TF-001"]["denied_not_flagged"] == 1 and rules["PAY-TF-001"]["family"] == ["29"]
    assert rules["NCCI-PTP-003"]["denied_not_flagged"] == 1
    assert "COD-AGE-001" not in rules  # age-sex family: no such denial here
    assert rules["COD-DX-002"]["carcs_caught"] == ["146"]
    assert rules["INT-BAL-001"]["family"] == ["16"]


def test_top_uncaught_carcs_are_the_next_rules_to_write(audited):
    top = audited[1]["denials"]["uncaught_carcs"]
    assert [(u["carc"], u["denials"], u["amount"], u["category"]) for u in top] == [
        ("16", 1, 3600.0, "data-integrity"), ("29", 1, 550.0, "payer-policy"), ("97", 1, 130.0, "ncci-ptp")]


def test_result_with_denials_honours_the_schema_and_the_shared_checker(audited):
    import jsonschema

    from conftest import CHECKER

    path, data = audited
    schema = json.loads((ROOT / "scrubber" / "schemas" / "run_result.schema.json").read_text())
    jsonschema.validate(data, schema)
    if CHECKER.exists():
        proc = subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    kinds = [i.get("kind") for i in data["run"]["inputs"]]
    assert kinds.count("remittance") == 2
    assert all(len(i["sha256"]) == 64 for i in data["run"]["inputs"] if i.get("kind") == "remittance")


def test_payer_filter_puts_other_payers_remittances_outside_not_unmatched(remit_dir, tmp_path):
    code, text = run_audit(tmp_path, "--no-ledger", "--remits", str(remit_dir), "--payer-id", "99904")
    d = json.loads(text)["denials"]
    assert d["matching"]["claims"] == 2
    assert d["matching"]["remittances_without_claim"] == 0
    assert d["matching"]["remittances_outside_filters"] == 7  # PRO-001..005, JSON-002 and NOSUCH (payer 99901)
    assert (d["totals"]["denied_amount"], d["totals"]["caught_amount"]) == (4150.0, 0.0)


def test_date_filter_applies_to_remittances_without_a_claim(remit_dir, tmp_path):
    code, text = run_audit(tmp_path, "--no-ledger", "--remits", str(remit_dir), "--since", "2025-02-24", "--until", "2025-02-28")
    d = json.loads(text)["denials"]
    assert d["matching"]["claims"] == 6  # PRO-001..005 and INS-001 (2025-02-25)
    assert d["matching"]["remittances_outside_filters"] == 3  # INS-002, JSON-002 (claims outside) and NOSUCH
    assert "MADE-UP-NOSUCH-001" not in d["matching"]["unmatched_remittance_ids"]  # no service date: outside a dated window
    assert d["matching"]["remittances_without_claim"] == 0


def test_ledger_records_each_remittance_input_with_its_sha256(remit_dir, tmp_path):
    import hashlib

    ledger = tmp_path / "ledger.sqlite3"
    code, _ = run_audit(tmp_path, "--ledger", str(ledger), "--remits", str(remit_dir))
    assert code == 0
    rows = dict(sqlite3.connect(ledger).execute("SELECT path, sha256 FROM run_inputs").fetchall())
    for name in ("plan.835", "contractor.835"):
        path = str(remit_dir / name)
        assert rows[path] == hashlib.sha256((remit_dir / name).read_bytes()).hexdigest()


def test_html_denial_section_has_charts_and_escapes_835_strings(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    write_truth(folder, plan_name="<script>alert(1)</script> PLAN")
    code, html = run_audit(tmp_path, "--no-ledger", "--remits", str(folder), fmt="html")
    assert code == 0
    assert 'id="denials"' in html
    for chart in ("chart-prevented-category", "chart-prevented-payer", "chart-rule-precision", "chart-rule-recall",
                  "chart-uncaught-carcs"):
        assert f'id="{chart}"' in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; PLAN" in html
    assert "410.00" in html and "4,280.00" in html


def test_audit_without_remits_has_no_denials(tmp_path):
    code, text = run_audit(tmp_path, "--no-ledger")
    assert "denials" not in json.loads(text)


def test_bad_denial_map_is_a_located_error_exit_2(remit_dir, tmp_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("version: 1\ncategories:\n  eligibilty: [\"27\"]\n")
    res = CliRunner().invoke(cli, ["audit", str(CLAIMS), "--no-ledger", "-q", "--format", "json", "-o", str(tmp_path / "x.json"),
                                   "--remits", str(remit_dir), "--denial-map", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:3:" in res.output and "eligibilty" in res.output


def test_shipped_example_remittances_are_the_ones_the_truth_writes(tmp_path):
    """fixtures/remits (the docs/denials.md example) holds exactly what write_truth writes."""
    write_truth(tmp_path)
    for name in ("plan.835", "contractor.835"):
        assert (ROOT / "fixtures" / "remits" / name).read_bytes() == (tmp_path / name).read_bytes(), name
