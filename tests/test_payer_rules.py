"""The payer-policy pack (rules/payer) and payer profiles through the CLI.

What a biller sees change with the payer: the same claims scrubbed with ``--payer medicare`` and
``--payer commercial-example`` (fixtures/payers/made-up-payer-differences.json), timely filing at
its calendar boundaries, profile matching and forcing, a profile's disabled rules and severity
overrides (fixtures/claims-payer/profiles/made-up-line-auth.yaml, made up), line-level prior
authorization read from 2400 REF*G1, and ``rules list --payer``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DIFFS = ROOT / "fixtures" / "payers" / "made-up-payer-differences.json"
BATCHES = ROOT / "fixtures" / "claims-payer"
TEST_PROFILES = {"CLAIMSCRUB_PROFILE_DIRS": str(BATCHES / "profiles")}


def run(args: list[str], env: dict | None = None):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def scrub(*args: str, env: dict | None = None) -> dict:
    res = run(["scrub", *args, "--format", "json", "--fail-on", "never"], env)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def findings(result: dict, prefix: str = "PAY-") -> dict[str, list[dict]]:
    return {c["claim_id"]: [f for f in c["findings"] if f["rule_id"].startswith(prefix)] for c in result["claims"]}


def rule_ids(result: dict, prefix: str = "PAY-") -> dict[str, set]:
    return {cid: {f["rule_id"] for f in fs} for cid, fs in findings(result, prefix).items()}


def write_claims(tmp_path: Path, claims: list[dict], name: str = "claims.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"claims": claims}))
    return str(path)


def made_up_claim(cid: str, dos: str, created: str, *, member: str = "1EG4TE5MK73", sbr09: str = "ZZ",
                  payer_id: str = "MADE-UP-NOBODY", code: str = "99213") -> dict:
    return {"claim_id": cid, "created": created, "claim_filing_indicator": sbr09,
            "payer": {"name": "MADE UP PAYER", "payer_id": payer_id},
            "subscriber": {"member_id": member, "last_name": "DOE", "first_name": "JANE", "relationship": "18"},
            "lines": [{"number": 1, "code": code, "charge": "100.00", "units": "1", "date_from": dos}]}


# --- medicare vs commercial-example ---------------------------------------------------------------
MEDICARE = {
    "MADE-UP-PAYER-FILED-DAY-100": set(),
    "MADE-UP-PAYER-FILED-MONTH-13": {"PAY-TF-001"},
    "MADE-UP-PAYER-COMMERCIAL-ID": {"PAY-MBRID-001"},
    "MADE-UP-PAYER-MRI-NO-AUTH": set(),
    "MADE-UP-PAYER-SEX-AFTER-2024-10": set(),
    "MADE-UP-PAYER-PREVENTIVE-1": set(),
    "MADE-UP-PAYER-PREVENTIVE-2": set(),
}
COMMERCIAL = {
    "MADE-UP-PAYER-FILED-DAY-100": {"PAY-MBRID-001", "PAY-TF-001"},
    "MADE-UP-PAYER-FILED-MONTH-13": {"PAY-MBRID-001", "PAY-TF-001"},
    "MADE-UP-PAYER-COMMERCIAL-ID": set(),
    "MADE-UP-PAYER-MRI-NO-AUTH": {"PAY-MBRID-001", "PAY-PA-001"},
    "MADE-UP-PAYER-SEX-AFTER-2024-10": {"PAY-MBRID-001"},
    "MADE-UP-PAYER-PREVENTIVE-1": {"PAY-MBRID-001"},
    "MADE-UP-PAYER-PREVENTIVE-2": {"PAY-MBRID-001", "PAY-FREQ-001"},
}


@pytest.fixture(scope="module")
def by_profile() -> dict[str, dict]:
    return {pid: scrub(str(DIFFS), "--payer", pid) for pid in ("medicare", "commercial-example")}


def test_the_same_claims_get_different_payer_findings_under_medicare_and_commercial(by_profile):
    assert rule_ids(by_profile["medicare"]) == MEDICARE
    assert rule_ids(by_profile["commercial-example"]) == COMMERCIAL
    # The coding pack's sex edit reads the profile's sex_edits switch: off for Medicare from 2024-10-01.
    sex = {pid: {f["rule_id"] for f in findings(r, "")["MADE-UP-PAYER-SEX-AFTER-2024-10"]} for pid, r in by_profile.items()}
    assert "COD-SEX-001" in sex["commercial-example"] and "COD-SEX-001" not in sex["medicare"]


def test_rules_list_shows_the_shipped_profiles_differ_in_packs_and_parameters():
    def status(pid: str) -> dict[str, str]:
        out = run(["rules", "list", "--payer", pid]).output.splitlines()[2:]
        return {ln.split()[0]: ln.split()[1] for ln in out if ln.strip()}

    med, com = status("medicare"), status("commercial-example")
    policies = [rid for rid in med if rid.startswith("NCD-")]
    assert policies and all(med[r] == "runs" and com[r] == "off" for r in policies)  # packs.enabled / disabled
    assert med["PAY-PA-001"] == "idle:" and com["PAY-PA-001"] == "runs"  # only the commercial example lists prior auth


def test_timely_filing_message_names_the_date_of_service_it_counted_from():
    """claim.tf_dos in PAY-TF-001's message: the earliest line's date, not the first line's (rule case
    MADE-UP-TF-14), and not repeated by the basis; other bases name their own start date as well."""
    from scrubber.engine.cases import run_case
    from scrubber.rulespec import default_rule_dirs, load_packs

    packs = load_packs(default_rule_dirs())
    rule = packs.rule("PAY-TF-001")
    by_name = {c.name: c for c in rule.tests}
    two_lines = next(c for n, c in by_name.items() if n.startswith("two lines"))
    result = run_case(rule, two_lines, packs)
    assert result.ok, result.detail
    assert result.detail == ("Filed 2026-01-11 for the date of service 2025-01-10, 1 days after the timely-filing "
                             "deadline 2026-01-10 (limit 12 months from the date of service; profile medicare: "
                             "42 CFR 424.44(a)(1))")
    eoy = next(c for n, c in by_name.items() if n.startswith("from the end of the calendar year, filed after"))
    result = run_case(rule, eoy, packs)
    assert "for the date of service 2024-03-05," in result.detail
    assert "(limit 12 months from the end of the calendar year of service 2024-12-31;" in result.detail


def test_payer_messages_name_deadline_basis_and_the_profiles_citation(by_profile):
    (tf,) = findings(by_profile["medicare"])["MADE-UP-PAYER-FILED-MONTH-13"]
    assert tf["message"].startswith("Filed 2025-02-03 for the date of service 2024-01-02, 32 days after the "
                                    "timely-filing deadline 2025-01-02 (limit 12 months from the date of service; "
                                    "profile medicare: ")
    assert "42 CFR 424.44(a)(1)" in tf["message"]
    assert tf["location"]["path"] == "/claims/1/created"
    com = {f["rule_id"]: f for f in findings(by_profile["commercial-example"])["MADE-UP-PAYER-FILED-DAY-100"]}
    assert ("for the date of service 2025-01-02, 10 days after the timely-filing deadline 2025-04-02 (limit 90 days "
            "from the date of service;") in com["PAY-TF-001"]["message"]
    assert "EXAMPLE" in com["PAY-TF-001"]["message"]  # the example profile's citation says it is an example
    (mbi,) = findings(by_profile["medicare"])["MADE-UP-PAYER-COMMERCIAL-ID"]
    assert "Member id ABC123456789" in mbi["message"] and "Medicare Beneficiary Identifier" in mbi["message"]
    assert mbi["location"]["path"] == "/claims/2/patient/member_id"  # the patient is the subscriber here
    pa = {f["rule_id"]: f for f in findings(by_profile["commercial-example"])["MADE-UP-PAYER-MRI-NO-AUTH"]}["PAY-PA-001"]
    assert pa["line"] == 1 and "Line 1 (70551) needs prior authorization" in pa["message"]
    assert "claim level (2300 REF*G1)" in pa["message"]
    freq = {f["rule_id"]: f for f in findings(by_profile["commercial-example"])["MADE-UP-PAYER-PREVENTIVE-2"]}["PAY-FREQ-001"]
    assert "already had 1 of these services" in freq["message"] and "allows 1 per 365 days" in freq["message"]


def test_sex_edits_switch_is_reachable_by_a_rule_under_both_field_paths(tmp_path):
    """The coding pack's sex rule reads claim.sex_edits_active (or claim.param.derived.sex_edits_active)."""
    pack = tmp_path / "probe"
    pack.mkdir()
    for rid, field in (("PROBE-SEX-001", "sex_edits_active"), ("PROBE-SEX-002", "param.derived.sex_edits_active")):
        (pack / f"{rid}.yaml").write_text(
            f"id: {rid}\ntitle: probe\nseverity: info\ncategory: age-sex\nmessage: sex edits on\n"
            f"when:\n  all:\n    - {{fact: claim, field: {field}, op: eq, value: true}}\n")
    claim = [c for c in json.loads(DIFFS.read_text())["claims"] if c["claim_id"] == "MADE-UP-PAYER-SEX-AFTER-2024-10"]
    path = write_claims(tmp_path, claim)
    for pid, expected in (("medicare", set()), ("commercial-example", {"PROBE-SEX-001", "PROBE-SEX-002"})):
        result = scrub(path, "--payer", pid, "--rules", str(pack))
        assert rule_ids(result, "PROBE-")["MADE-UP-PAYER-SEX-AFTER-2024-10"] == expected, pid
    before = write_claims(tmp_path, [dict(claim[0], lines=[dict(claim[0]["lines"][0], date_from="2024-09-30")],
                                          service_from="2024-09-30", service_to="2024-09-30")], "before.json")
    result = scrub(before, "--payer", "medicare", "--rules", str(pack))
    assert rule_ids(result, "PROBE-")["MADE-UP-PAYER-SEX-AFTER-2024-10"] == {"PROBE-SEX-001", "PROBE-SEX-002"}


# --- timely filing at its calendar boundaries, through the rule ---------------------------------
TF_CASES = [
    # (profile, date of service, filed, late?)  -- medicare: 12 months = one calendar year
    ("medicare", "2025-01-10", "2026-01-10", False),  # day 365
    ("medicare", "2025-01-10", "2026-01-11", True),  # day 366
    ("medicare", "2023-06-01", "2024-06-01", False),  # day 366 across 2024-02-29 is still one calendar year
    ("medicare", "2023-06-01", "2024-06-02", True),
    ("medicare", "2024-02-29", "2025-02-28", False),  # Pub. 100-04 ch. 1 70.1
    ("medicare", "2024-02-29", "2025-03-01", True),
    # medicaid-example: 365 days (example value) -- February 29 counts as a day
    ("medicaid-example", "2023-06-01", "2024-05-31", False),  # day 365
    ("medicaid-example", "2023-06-01", "2024-06-01", True),  # day 366
    ("medicaid-example", "2025-01-10", "2026-01-10", False),  # day 365, no leap day
    ("medicaid-example", "2025-01-10", "2026-01-11", True),  # day 366
    # commercial-example: 90 days (example value) across February 2024
    ("commercial-example", "2024-01-01", "2024-03-31", False),
    ("commercial-example", "2024-01-01", "2024-04-01", True),
]


def test_timely_filing_boundaries_through_the_rule(tmp_path):
    for pid in sorted({c[0] for c in TF_CASES}):
        cases = [(dos, filed, late) for p, dos, filed, late in TF_CASES if p == pid]
        claims = [made_up_claim(f"MADE-UP-TF-{k}", dos, filed) for k, (dos, filed, _) in enumerate(cases)]
        result = rule_ids(scrub(write_claims(tmp_path, claims, f"{pid}.json"), "--payer", pid))
        got = [("PAY-TF-001" in result[f"MADE-UP-TF-{k}"]) for k in range(len(cases))]
        assert got == [late for _, _, late in cases], (pid, cases)


# --- matching, forcing, default ------------------------------------------------------------------
def test_matching_forcing_and_default(tmp_path):
    claims = [
        made_up_claim("MADE-UP-NO-MATCH", "2019-01-02", "2025-01-02"),  # payer nobody knows, SBR09 ZZ
        made_up_claim("MADE-UP-MB", "2019-01-02", "2025-01-02", sbr09="MB"),  # Medicare Part B
    ]
    path = write_claims(tmp_path, claims)
    auto = findings(scrub(path))
    assert auto["MADE-UP-NO-MATCH"] == []  # default: no payer limit is invented for an unknown payer
    assert [f["rule_id"] for f in auto["MADE-UP-MB"]] == ["PAY-TF-001"]
    assert "profile medicare" in auto["MADE-UP-MB"][0]["message"]
    forced = findings(scrub(path, "--payer", "medicare"))
    assert [f["rule_id"] for f in forced["MADE-UP-NO-MATCH"]] == ["PAY-TF-001"]
    to_default = findings(scrub(path, "--payer", "default"))
    assert to_default == {"MADE-UP-NO-MATCH": [], "MADE-UP-MB": []}


def test_unknown_forced_payer_is_a_usage_error(tmp_path):
    res = run(["scrub", write_claims(tmp_path, [made_up_claim("MADE-UP-1", "2025-01-02", "2025-01-03")]),
               "--payer", "no-such-payer"])
    assert res.exit_code == 2 and "unknown payer profile 'no-such-payer'" in res.output


# --- a profile's own rules: line-level prior auth, a disabled rule, severity overrides ------------
def test_line_level_prior_authorization_from_2400_ref_g1():
    result = scrub(str(BATCHES / "made-up-prior-auth.837"), env=TEST_PROFILES)
    pa = {cid: [f for f in fs if f["rule_id"] == "PAY-PA-001"] for cid, fs in findings(result).items()}
    (only,) = pa["MADE-UP-PA-CLAIM-LEVEL-ONLY"]  # a 2300 REF*G1 does not satisfy a line-level requirement
    assert only["line"] == 1 and only["location"]["path"] == "2400[1]/SV101-2"
    assert "line level (2400 REF*G1)" in only["message"]
    assert pa["MADE-UP-PA-ON-THE-LINE"] == []


def test_reader_keeps_the_line_prior_authorization_and_its_place():
    from scrubber.readers import iter_records

    lines = {r.claim.claim_id: r.claim.lines[0] for r in iter_records([str(BATCHES / "made-up-prior-auth.837")])}
    assert lines["MADE-UP-PA-ON-THE-LINE"].prior_authorization == "MADEUPAUTH2"
    assert lines["MADE-UP-PA-ON-THE-LINE"].locs["prior_authorization"].path == "2400[1]/REF02"
    assert lines["MADE-UP-PA-CLAIM-LEVEL-ONLY"].prior_authorization is None


def test_a_disabled_rule_and_severity_overrides_of_a_profile(tmp_path):
    claims = json.loads(DIFFS.read_text())["claims"]
    preventive = [dict(c, subscriber=dict(c["subscriber"], member_id="ABC123456789"), referral_number="MADE-UP-R1")
                  for c in claims if c["claim_id"].startswith("MADE-UP-PAYER-PREVENTIVE") or c["claim_id"].endswith("DAY-100")]
    path = write_claims(tmp_path, preventive)
    base = scrub(path, "--payer", "commercial-example", env=TEST_PROFILES)
    child = scrub(path, "--payer", "made-up-line-auth", env=TEST_PROFILES)
    assert "PAY-FREQ-001" in rule_ids(base)["MADE-UP-PAYER-PREVENTIVE-2"]
    assert "PAY-FREQ-001" not in rule_ids(child)["MADE-UP-PAYER-PREVENTIVE-2"]  # rules.disabled
    sev = {name: {f["rule_id"]: f["severity"] for f in findings(r)["MADE-UP-PAYER-FILED-DAY-100"]}
           for name, r in (("base", base), ("child", child))}
    assert sev == {"base": {"PAY-TF-001": "error"}, "child": {"PAY-TF-001": "warning"}}
    status = {name: next(c["status"] for c in r["claims"] if c["claim_id"].endswith("DAY-100"))
              for name, r in (("base", base), ("child", child))}
    assert status == {"base": "flagged", "child": "clean"}


# --- rules list --payer ---------------------------------------------------------------------------
def test_rules_list_for_a_payer_shows_what_runs_and_at_what_severity():
    res = run(["rules", "list", "--payer", "made-up-line-auth"], TEST_PROFILES)
    assert res.exit_code == 0, res.output
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in res.output.splitlines()[2:] if line.strip()}
    assert rows["PAY-FREQ-001"][0] == "off"
    assert rows["PAY-TF-001"][0] == "runs" and rows["PAY-TF-001"][1].startswith("warning (rule: error)")
    assert rows["ELIG-NAME-001"][1].startswith("error (rule: warning)")
    assert rows["PAY-MBRID-001"][1].startswith("error ")
    medicare = run(["rules", "list", "--payer", "medicare"])
    assert medicare.exit_code == 0 and "payer profile medicare" in medicare.output
    assert all(" off " not in line for line in medicare.output.splitlines())
    # Medicare's profile sets no prior-auth list: the rule runs but can never fire, and says why.
    pa = next(line for line in medicare.output.splitlines() if line.startswith("PAY-PA-001"))
    assert "idle: no params.prior_auth" in pa


def test_rules_list_for_an_unknown_payer_is_a_usage_error():
    res = run(["rules", "list", "--payer", "no-such-payer"])
    assert res.exit_code == 2 and "unknown payer profile 'no-such-payer'" in res.output


# --- profiles that name value sets ---------------------------------------------------------------
def _profile(tmp_path: Path, body: str) -> dict:
    d = tmp_path / "profiles"
    d.mkdir(exist_ok=True)
    (d / "made-up-vs.yaml").write_text(
        "# MADE UP test profile\nid: made-up-vs\ntitle: made up (EXAMPLE)\nexample: true\n" + body)
    return {"CLAIMSCRUB_PROFILE_DIRS": str(d)}


def test_a_profile_may_name_value_sets_for_prior_auth_and_frequency(tmp_path):
    env = _profile(tmp_path, (
        "params:\n"
        "  prior_auth: {procedures: em-office-visits, where: claim}\n"
        "  frequency_limits: [{procedures: em-office-visits, max: 1, per_days: 30}]\n"
        "sources:\n  prior_auth: EXAMPLE\n  frequency_limits: EXAMPLE\n"))
    claims = [made_up_claim("MADE-UP-VS-1", "2025-03-03", "2025-03-04", code="99214"),
              made_up_claim("MADE-UP-VS-2", "2025-03-20", "2025-03-21", code="99213"),
              made_up_claim("MADE-UP-VS-3", "2025-03-20", "2025-03-21", code="36415")]
    got = rule_ids(scrub(write_claims(tmp_path, claims), "--payer", "made-up-vs", env=env))
    assert got == {"MADE-UP-VS-1": {"PAY-PA-001"}, "MADE-UP-VS-2": {"PAY-PA-001", "PAY-FREQ-001"},
                   "MADE-UP-VS-3": set()}


def test_a_profile_naming_an_unknown_value_set_stops_the_run_with_file_and_line(tmp_path):
    env = _profile(tmp_path, "params:\n  prior_auth: {procedures: no-such-set, where: line}\n"
                             "sources:\n  prior_auth: EXAMPLE\n")
    res = run(["scrub", write_claims(tmp_path, [made_up_claim("MADE-UP-1", "2025-01-02", "2025-01-03")])], env)
    assert res.exit_code == 2
    assert "made-up-vs.yaml:6: params.prior_auth.procedures names value set 'no-such-set'" in res.output


def test_a_child_profile_re_enables_a_rule_its_parent_disabled(tmp_path):
    d = tmp_path / "more-profiles"
    d.mkdir()
    (d / "made-up-reenable.yaml").write_text(
        "# MADE UP test profile\nid: made-up-reenable\ntitle: made up (EXAMPLE)\nexample: true\n"
        "extends: made-up-line-auth\nrules: {enabled: [PAY-FREQ-001]}\n")
    env = {"CLAIMSCRUB_PROFILE_DIRS": f"{BATCHES / 'profiles'}{os.pathsep}{d}"}  # PATH-style list
    claims = [c for c in json.loads(DIFFS.read_text())["claims"] if c["claim_id"].startswith("MADE-UP-PAYER-PREVENTIVE")]
    path = write_claims(tmp_path, claims)
    got = {pid: rule_ids(scrub(path, "--payer", pid, env=env))["MADE-UP-PAYER-PREVENTIVE-2"]
           for pid in ("made-up-line-auth", "made-up-reenable")}
    assert "PAY-FREQ-001" not in got["made-up-line-auth"] and "PAY-FREQ-001" in got["made-up-reenable"]
    listed = run(["rules", "list", "--payer", "made-up-reenable"], env)
    assert next(ln for ln in listed.output.splitlines() if ln.startswith("PAY-FREQ-001")).split()[1] == "runs"
