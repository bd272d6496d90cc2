"""`audit diff` after a new quarter's NCCI PTP file: the findings it adds, and the edition that changed.

End to end through the CLI: real readers, the standard rule packs (NCCI-PTP-001), `refdata import`.
The PTP files are the project's made-up sample in CMS's practitioner layout (fixtures/refdata) and
a copy of it with one more MADE-UP pair (11111/77777, indicator 0) standing for next quarter's
file (v32.1 = 2026Q2, so it applies to the claim's April date of service); neither holds real
CMS edits.
"""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scrubber.cli import cli
from datadir import seeded

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"


def made_up_claim() -> dict:
    line = {"code_qualifier": "HC", "units": "1", "unit_basis": "UN", "dx_pointers": [1],
            "date_from": "2026-04-06", "date_to": "2026-04-06"}
    return {"claims": [{
        "kind": "837P", "claim_id": "MADE-UP-PTP-DIFF-1", "place_of_service": "11", "facility_code_qualifier": "B",
        "frequency": "1", "total_charge": "150.00", "payer_responsibility": "P", "claim_filing_indicator": "CI",
        "providers": [{"role": "billing", "entity_type": "2", "last_or_org_name": "MADE-UP CLINIC", "npi": "1234567893"}],
        "payer": {"name": "MADE-UP HEALTH PLAN", "payer_id": "99901"},
        "subscriber": {"last_name": "MADEUP", "first_name": "ALEX", "member_id": "MADEUP9001",
                       "birth_date": "1980-05-05", "sex": "F", "relationship": "18"},
        "diagnoses": [{"code": "I10", "qualifier": "ABK"}],
        "lines": [{**line, "code": "11111", "charge": "100.00"}, {**line, "code": "77777", "charge": "50.00"}],
    }]}


def run(*args):
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return res


def test_diff_shows_the_findings_a_new_ptp_quarter_adds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, ledger = seeded(tmp_path / "data"), tmp_path / "ledger.sqlite3"
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps(made_up_claim()))
    this_quarter = SAMPLES / "SAMPLE-ccipra-v320r0-f1.txt"
    next_quarter = tmp_path / "SAMPLE-ccipra-v321r0-f1.txt"
    text = this_quarter.read_text(encoding="utf-8")
    next_quarter.write_text(text.rstrip("\r\n") + ("\r\n" if "\r\n" in text else "\n")
                            + "11111\t77777\t\t20260101\t*\t0\tMADE-UP rationale: new next quarter\n", encoding="utf-8")

    assert run("refdata", "import", "ncci-ptp", str(this_quarter), "--data-dir", str(data)).exit_code == 0
    audit = ["audit", str(claims), "--data-dir", str(data), "--ledger", str(ledger), "--format", "json", "-q"]
    first = run(*audit, "-o", str(tmp_path / "first.json"))
    assert first.exit_code == 0, first.output
    imported = run("refdata", "import", "ncci-ptp", str(next_quarter), "--data-dir", str(data))
    assert imported.exit_code == 0, imported.output
    second = run(*audit, "-o", str(tmp_path / "second.json"))
    assert second.exit_code == 0, second.output

    diff = run("audit", "diff", "last~1", "last", "--ledger", str(ledger), "--format", "json")
    assert diff.exit_code == 0, diff.output
    d = json.loads(diff.output)
    assert [(f["claim_id"], f["rule_id"], f["line"]) for f in d["appeared"]] == [("MADE-UP-PTP-DIFF-1", "NCCI-PTP-001", 2)]
    assert d["disappeared"] == []
    assert [c for c in d["changes"] if "ncci-ptp" in c] == [
        c for c in d["changes"] if c.startswith("reference data added: ncci-ptp:practitioner 2026Q2 sha256 ")]
    assert any("ncci-ptp" in c for c in d["changes"]), d["changes"]
    text_diff = run("audit", "diff", "last~1", "last", "--ledger", str(ledger)).output
    assert "1 findings appeared, 0 disappeared" in text_diff and "+ MADE-UP-PTP-DIFF-1 line 2 error NCCI-PTP-001" in text_diff
