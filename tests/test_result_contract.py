"""The RunResult JSON contract: schema shipped in the package, summary invariants."""
import json
from decimal import Decimal
from importlib import resources

import jsonschema

from scrubber.model import ClaimResult, Finding, RunInfo, RunResult


def schema():
    return json.loads(resources.files("scrubber").joinpath("schemas/run_result.schema.json").read_text())


def sample_result():
    f = Finding("INT-TOTAL-001", "error", "balance", "total 100.00 != lines 90.00", "fix the total", "X12 guide",
                None, "2300/CLM02", 12, ("CLM02",))
    return RunResult(
        tool_version="0",
        run=RunInfo(started="2026-11-22T00:00:00+00:00"),
        claims=[
            ClaimResult("A1", "x.837", 10, "flagged", "PAYER", Decimal("100.00"), (f,)),
            ClaimResult("A2", "x.837", 30, "clean", "PAYER", Decimal("50.00")),
            ClaimResult("A3", "x.837", 50, "unreadable", error="CLM missing"),
        ],
    )


def test_result_validates_against_shipped_schema():
    jsonschema.validate(sample_result().to_dict(), schema())


def test_summary_accounts_for_every_claim_and_charges_at_risk():
    s = sample_result().summary()
    assert s["claims_total"] == 3 == s["claims_clean"] + s["claims_flagged"] + s["claims_unreadable"]
    assert s["charges_at_risk"] == 100.0
    assert s["findings_by_rule"] == {"INT-TOTAL-001": 1}


def test_status_is_flagged_only_for_error_findings():
    warn = Finding("X", "warning", "modifier", "m")
    err = Finding("Y", "error", "modifier", "m")
    assert ClaimResult.status_for([warn]) == "clean"
    assert ClaimResult.status_for([warn, err]) == "flagged"
    assert ClaimResult.status_for([], unreadable=True) == "unreadable"


def test_claim_round_trips_through_its_json_form():
    from scrubber.model.serialize import claim_from_dict, claim_to_dict

    d = {
        "claim_id": "MADE-UP-1",
        "kind": "837P",
        "total_charge": "150.00",
        "patient": {"last_name": "DOE", "birth_date": "1980-02-29", "sex": "F"},
        "diagnoses": [{"position": 1, "code": "E119", "qualifier": "ABK",
                       "locs": {"code": {"path": "2300/HI01-2", "segment": 20}}}],
        "lines": [{"number": 1, "code": "99213", "modifiers": ["25"], "charge": 150, "units": 1,
                   "dx_pointers": [1], "date_from": "2026-01-05"}],
    }
    c = claim_from_dict(d)
    assert c.lines[0].charge == Decimal("150")
    assert c.diagnoses[0].locs["code"].segment == 20
    assert c.patient.birth_date.isoformat() == "1980-02-29"
    assert claim_from_dict(claim_to_dict(c)) == c
