"""The fixture runs every report format is checked against (snapshot tests, browser test).

All claims, rule ids, NPIs, names and payers here are MADE-UP test data, not real claims or
real payer edits: rule ids start with MADE-UP-, claim ids with MADE-UP-. 1234567893 is the
example NPI from CMS's NPI check-digit documentation (valid Luhn check digit, no provider).
"""
from __future__ import annotations

from decimal import Decimal

from scrubber.model import ClaimResult, Finding, RunError, RunInfo, RunResult

XSS_NAME = "<script>alert(1)</script>"


def _run() -> RunInfo:
    return RunInfo(
        started="2026-11-22T12:00:00+00:00",
        payer_profile="made-up-commercial",
        inputs=[{"path": "fixtures/claims/made-up-batch.837", "sha256": "0" * 64}],
        rulesets=[{"id": "made-up-pack", "version": "1", "sha256": "1" * 64}],
        refdata=[{"kind": "ncci-ptp", "edition": "MADE-UP 2026Q4", "sha256": "2" * 64}],
    )


def mixed_result() -> RunResult:
    """Flagged, clean-with-warning, clean, unreadable claims, hostile strings and run errors."""
    total = Finding(
        "MADE-UP-BAL-001", "error", "balance", "claim total 150.00 does not equal the line charges 140.00",
        "correct CLM02 or the SV102 line charges", "X12 005010X222A1 CLM02 note", None, "2300/CLM02", 14, ("CLM02",),
    )
    modifier = Finding(
        "MADE-UP-MOD-002", "warning", "modifier", "line 2 carries modifier 59 without a documented reason",
        "check the documentation", None, 2, "2400[2]/SV101-3", 19, ("59",),
    )
    formula = Finding(
        "MADE-UP-ELIG-003", "error", "eligibility", "=HYPERLINK(\"http://example.invalid\") member MADEUPM123 not found",
        "+verify the member id", "@made-up policy", None, "2010BA/NM109", 9, (),
    )
    info = Finding("MADE-UP-INFO-004", "info", "payer-policy", "payer prefers the taxonomy on PRV", None, None, None,
                   "2000A/PRV03", 3, ())
    claims = [
        ClaimResult(
            "MADE-UP-1", "fixtures/claims/made-up-batch.837", 14, "flagged", "MADE-UP HEALTH PLAN", Decimal("150.00"),
            (total, modifier), payer_id="MADEUP01", billing_npi="1234567893", rendering_npi="1234567893",
            service_date="2026-10-05", patient_name="JANE DOE", member_id="MADEUPM001", birth_date="1980-02-29",
            segments=((14, "CLM*MADE-UP-1*150***11:B:1*Y*A*Y*Y"), (19, "SV1*HC:99213:59*70*UN*1***1")),
        ),
        ClaimResult(
            "MADE-UP-2", "fixtures/claims/made-up-batch.837", 30, "flagged", "OTHER MADE-UP PAYER", Decimal("1234.50"),
            (formula,), payer_id="MADEUP02", billing_npi="1234567893", rendering_npi=None, service_date="2026-10-06",
            patient_name=XSS_NAME, member_id="MADEUPM123", birth_date="1975-01-31",
        ),
        ClaimResult(
            "MADE-UP-3", "fixtures/claims/made-up-batch.837", 45, "clean", "MADE-UP HEALTH PLAN", Decimal("80.00"),
            (info,), payer_id="MADEUP01", billing_npi="1234567893", service_date="2026-10-07",
            patient_name="JOHN ROE", member_id="MADEUPM002", birth_date="1990-12-01",
        ),
        ClaimResult(
            "MADE-UP-4", "fixtures/claims/made-up-batch.837", 60, "clean", "MADE-UP HEALTH PLAN", Decimal("95.00"),
            payer_id="MADEUP01", billing_npi="1234567893", service_date="2026-10-08",
        ),
        ClaimResult(
            "MADE-UP-5", "fixtures/claims/made-up-batch.837", 72, "unreadable", error="CLM02 '1O0.00' is not a number",
        ),
    ]
    errors = [
        RunError("unreadable-claim", "CLM02 '1O0.00' is not a number", "fixtures/claims/made-up-batch.837", 72),
        RunError("rule-error", "rule MADE-UP-X raised: division by zero <b>bold?</b>", None, None),
    ]
    return RunResult(tool_version="0.0.0-test", run=_run(), claims=claims, errors=errors)


def empty_result() -> RunResult:
    """A run over an input with no claims at all."""
    run = _run()
    run.inputs = []
    return RunResult(tool_version="0.0.0-test", run=run)


FIXTURES = {"mixed": mixed_result, "empty": empty_result}
