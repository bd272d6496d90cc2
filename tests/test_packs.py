"""The standard packs (coding, ncci, modifiers, integrity, duplicate) as a user runs them.

Each shipped rule's own cases run in tests/test_rule_cases.py; these tests drive the packs the way
the pipeline does: CMS-layout files imported with ``claimscrub refdata import`` into a temporary
data directory, payer profiles from ``payer_profiles/``, the Engine with durable-rules and the
reference evaluator compared. Claims here are made up (claim ids ``MADE-UP-...``); the PTP and MUE
rows come from the shipped samples, which are made up too (codes 11111, 22222 ...).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.engine.core import Engine
from scrubber.model import ClaimContext
from scrubber.model.serialize import claim_from_dict
from scrubber.refdata import open_refdata
from scrubber.rulespec import default_rule_dirs, load_packs
from datadir import seeded

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FIX = ROOT / "fixtures" / "refdata"
MY_PACKS = ("coding", "ncci", "modifiers", "duplicate")
MY_INTEGRITY = ("INT-DATE-001", "INT-DATE-002", "INT-DATE-003", "INT-DATE-004", "INT-DATE-005", "INT-POS-001", "INT-POS-002")


def packs_of(*names: str):
    return load_packs([RULES / n for n in names] + [RULES / "valuesets"])


def run(packs, claims: list[dict], refdata, contexts=None):
    """Findings per claim (list of lists), asserting no run error and no engine disagreement."""
    eng = Engine(packs, refdata=refdata, verify=True, workers=0)
    found, errors = eng.evaluate([claim_from_dict(c) for c in claims], contexts)
    assert errors == [], [e.message for e in errors]
    return [found.get(k, []) for k in range(len(claims))]


def ids(findings) -> list[str]:
    return sorted(f.rule_id for f in findings)


@pytest.fixture(scope="module")
def icd_refdata(tmp_path_factory):
    """A data directory with only the built-in ICD-10-CM edition (the session's copy, tests/datadir.py)."""
    rd = open_refdata(str(seeded(tmp_path_factory.mktemp("icd"))))
    rd.icd10cm_valid("E119", "2025-11-03")
    yield rd
    rd.close()


def two_lines(day: str, col2: str = "22222", mods2=(), claim_id: str = "MADE-UP-PACKS-PTP") -> dict:
    return {"claim_id": claim_id, "service_from": day,
            "lines": [{"number": 1, "code": "11111", "code_qualifier": "HC", "charge": "100", "units": 1,
                       "date_from": day},
                      {"number": 2, "code": col2, "code_qualifier": "HC", "modifiers": list(mods2), "charge": "50",
                       "units": 1, "date_from": day}]}


# ---- rule files ----------------------------------------------------------------------------------
def test_rules_lint_is_clean_on_every_shipped_pack():
    r = CliRunner().invoke(cli, ["rules", "lint"])
    assert r.exit_code == 0, r.output
    assert r.output.strip().endswith("ok")


def test_every_pack_rule_has_fire_and_pass_cases_a_source_and_a_suggestion():
    packs = load_packs(default_rule_dirs())
    mine = [r for r in packs.rules if r.pack in MY_PACKS or r.id in MY_INTEGRITY]
    assert len(mine) >= 30
    for r in mine:
        assert {"fire", "pass"} <= {c.expect for c in r.tests}, r.id
        assert r.source and len(r.source) > 30, r.id
        assert r.suggestion, r.id


def test_table_edits_are_one_rule_per_table_not_per_row():
    """No rule names a PTP pair, an MUE code or an Excludes1 code pair in its condition."""
    packs = load_packs(default_rule_dirs())
    for r in packs.rules:
        if r.category in ("ncci-ptp", "mue", "dx-dx"):
            text = Path(r.path).read_text()
            when = text[text.index("when:"):text.index("tests:")]
            assert "value: \"1" not in when and "E11" not in when, r.id


# ---- NCCI PTP through `claimscrub refdata import` ----------------------------------------------------
@pytest.fixture
def imported_ncci(tmp_path, monkeypatch):
    """The CMS-layout PTP and MUE samples imported with the CLI into this test's data directory."""
    data = tmp_path / "data"
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(data))
    runner = CliRunner()
    for kind, name in (("ncci-ptp", "SAMPLE-ccipra-v320r0-f1.txt"), ("mue", "SAMPLE-MUE-Practitioner-2026Q1.csv")):
        r = runner.invoke(cli, ["refdata", "import", kind, str(FIX / name)])
        assert r.exit_code == 0, r.output
    rd = open_refdata()
    yield rd
    rd.close()


@pytest.mark.parametrize("day,col2,fires", [
    ("2019-12-31", "22222", False),  # 11111/22222 effective 2020-01-01
    ("2020-01-01", "22222", True),
    ("2023-12-31", "44444", True),  # 11111/44444 deleted 2024-01-01
    ("2024-01-01", "44444", False),
    ("2025-06-01", "44444", False),
    ("2025-07-01", "55555", False),  # retroactively deleted, indicator 9
])
def test_ptp_edit_fires_only_while_in_force(imported_ncci, day, col2, fires):
    found = run(packs_of("ncci"), [two_lines(day, col2)], imported_ncci)[0]
    ptp = [f for f in found if f.category == "ncci-ptp"]
    assert bool(ptp) == fires, [f.message for f in found]
    if fires:
        assert ptp[0].line == 2 and set(ptp[0].codes) == {"11111", col2}
        assert "11111" in ptp[0].message and col2 in ptp[0].message


def test_ptp_indicator_0_is_not_bypassed_and_indicator_1_is(imported_ncci):
    claims = [two_lines("2026-02-02", "33333", ["59"], "MADE-UP-PACKS-IND0"),
              two_lines("2026-02-02", "22222", ["59"], "MADE-UP-PACKS-IND1")]
    ind0, ind1 = run(packs_of("ncci"), claims, imported_ncci)
    assert ids(ind0) == ["NCCI-PTP-001"] and "indicator 0" in ind0[0].message
    assert ids(ind1) == []


def test_a_payer_profile_can_change_the_bypass_modifiers(imported_ncci):
    strict = ClaimContext(profile_id="x", params={"ptp_bypass_modifiers": ["XE", "XS", "XP", "XU"]})
    with_59, with_xs = run(packs_of("ncci"), [two_lines("2026-02-02", "22222", ["59"]),
                                             two_lines("2026-02-02", "22222", ["XS"])],
                           imported_ncci, [strict, strict])
    assert ids(with_59) == ["NCCI-PTP-002"] and "append" in with_59[0].suggestion
    assert ids(with_xs) == []


def test_ptp_needs_the_same_provider(imported_ncci):
    claim = two_lines("2026-02-02", "33333")
    claim["lines"][0]["providers"] = [{"role": "rendering", "npi": "1234567893"}]
    assert run(packs_of("ncci"), [claim], imported_ncci) == [[]]
    claim["lines"][1]["providers"] = [{"role": "rendering", "npi": "1234567893"}]
    assert ids(run(packs_of("ncci"), [claim], imported_ncci)[0]) == ["NCCI-PTP-001"]


def test_mue_message_names_the_mai_and_the_value(imported_ncci):
    line_edit = {"claim_id": "MADE-UP-PACKS-MUE1", "service_from": "2026-02-02",
                 "lines": [{"number": 1, "code": "22222", "charge": "50", "units": 5, "date_from": "2026-02-02"}]}
    per_date = {"claim_id": "MADE-UP-PACKS-MUE2", "service_from": "2026-02-02",
                "lines": [{"number": k, "code": "11111", "modifiers": [m], "charge": "50", "units": 1,
                           "date_from": "2026-02-02"} for k, m in ((1, "RT"), (2, "LT"))]}
    f1, f2 = run(packs_of("ncci"), [line_edit, per_date], imported_ncci)
    assert ids(f1) == ["NCCI-MUE-001"] and "MAI 1" in f1[0].message and "MUE of 4" in f1[0].message
    assert [f.rule_id for f in f2 if f.category == "mue"] == ["NCCI-MUE-002"]
    assert "MAI 2" in f2[0].message and "2 units of 11111" in f2[0].message and "MUE of 1" in f2[0].message


def test_without_tables_the_reference_data_edits_stay_silent():
    """No refdata object, or no imported PTP table: no PTP finding and no run error."""
    claim = two_lines("2026-02-02", "33333")
    assert run(packs_of("ncci"), [claim], None) == [[]]


# ---- coding on the built-in ICD-10-CM edition -------------------------------------------------------
def dx_claim(codes, sex="F", born="1980-05-05", day="2025-11-03", claim_id="MADE-UP-PACKS-DX") -> dict:
    return {"claim_id": claim_id, "service_from": day,
            "subscriber": {"member_id": "MADE-UP-M1", "birth_date": born, "sex": sex},
            "diagnoses": [{"position": k, "code": c, "qualifier": "ABK" if k == 1 else "ABF"}
                          for k, c in enumerate(codes, start=1)]}


def test_excludes1_pairs_fire_once_with_the_guideline_exception(icd_refdata):
    found = run(packs_of("coding"), [dx_claim(["E119", "E109"]), dx_claim(["O24410", "E119"], born="1990-01-01"),
                                     dx_claim(["E119", "I10"])], icd_refdata)
    for f in found[:2]:
        ex = [x for x in f if x.rule_id == "COD-EXCL1-001"]
        assert len(ex) == 1 and "I.A.12.a" in ex[0].suggestion
    assert "E11.9 and E10.9" in found[0][0].message
    assert found[2] == []


def test_sex_edits_follow_the_payer_profile(icd_refdata):
    from scrubber.config import claim_context, load_profiles

    profiles = load_profiles()
    claims = [dx_claim(["N951"], sex="M", day="2025-11-03"), dx_claim(["N951"], sex="M", day="2024-09-30")]
    models = [claim_from_dict(c) for c in claims]
    eng = Engine(packs_of("coding"), refdata=icd_refdata, verify=True, workers=0)
    for profile, want in (("medicare", [False, True]), ("commercial-example", [True, True])):
        ctxs = [claim_context(profiles, c, forced=profile) for c in models]
        found, errors = eng.evaluate(models, ctxs)
        assert errors == []
        got = [any(f.rule_id == "COD-SEX-001" for f in found.get(k, [])) for k in range(2)]
        assert got == want, profile


def test_age_bands_follow_the_mce_ranges(icd_refdata):
    cases = [(dx_claim(["O09521"], born="1960-11-04"), False),  # 64 on 2025-11-03: inside 9-64 (CMS since 2019-10-01)
             (dx_claim(["O09521"], born="1960-11-03"), True),  # 65 that day
             (dx_claim(["Z00121"], born="2007-11-04"), False),  # 17: pediatric 0-17
             (dx_claim(["Z00121"], born="2007-11-03"), True)]  # 18
    found = run(packs_of("coding"), [c for c, _ in cases], icd_refdata)
    assert [any(f.category == "age-sex" for f in fs) for fs in found] == [want for _, want in cases]


def test_icd10cm_validity_follows_the_imported_fiscal_year(tmp_path, monkeypatch):
    """A code only in the imported FY2025 order-file sample (made-up U99.99) is valid in FY2025 only."""
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(tmp_path / "data"))
    r = CliRunner().invoke(cli, ["refdata", "import", "icd10cm", str(FIX / "icd10cm_order_2025.txt")])
    assert r.exit_code == 0, r.output
    rd = open_refdata()
    fy25, fy26 = run(packs_of("coding"), [dx_claim(["U9999"], day="2025-06-01"), dx_claim(["U9999"], day="2026-06-01")],
                     rd)
    assert ids(fy25) == [] and ids(fy26) == ["COD-DX-003"]
    assert "U99.99" in fy26[0].message


# ---- duplicate pack: one signature within a claim and across the batch ---------------------------
def test_duplicates_within_a_claim_and_across_the_batch_use_one_signature():
    line = {"code": "99213", "charge": "100", "units": 1, "date_from": "2025-03-03", "modifiers": ["25"]}
    first = {"claim_id": "MADE-UP-PACKS-D1", "subscriber": {"member_id": "MADE-UP-M1", "last_name": "MADE-UP"},
             "lines": [dict(line, number=1), dict(line, number=2, units=2, charge="200")]}
    second = {"claim_id": "MADE-UP-PACKS-D2", "subscriber": {"member_id": "MADE-UP-M1", "last_name": "MADE-UP"},
              "lines": [dict(line, number=1)]}
    other_patient = {"claim_id": "MADE-UP-PACKS-D3",
                     "subscriber": {"member_id": "MADE-UP-M1", "last_name": "OTHER-MADE-UP"},
                     "lines": [dict(line, number=1)]}
    f1, f2, f3 = run(packs_of("duplicate"), [first, second, other_patient], None)
    assert ids(f1) == ["DUP-LINE-001"] and f1[0].line == 2
    assert ids(f2) == ["INT-DUP-001"] and "MADE-UP-PACKS-D1" in f2[0].message
    assert f3 == []


def test_the_batch_duplicate_index_compares_modifiers_as_a_set_and_dates_exactly():
    # The batch index keeps a digest per service, not the signature: "RT 59" must still repeat
    # "59 RT" in a later claim, and another date must not (made-up claims).
    line = {"code": "20610", "charge": "100", "units": 1, "date_from": "2025-03-03"}
    member = {"member_id": "MADE-UP-M2", "last_name": "MADE-UP"}
    first = {"claim_id": "MADE-UP-PACKS-S1", "subscriber": member,
             "lines": [dict(line, number=1, modifiers=["RT", "59"])]}
    reordered = {"claim_id": "MADE-UP-PACKS-S2", "subscriber": member,
                 "lines": [dict(line, number=1, modifiers=["59", "RT"])]}
    next_day = {"claim_id": "MADE-UP-PACKS-S3", "subscriber": member,
                "lines": [dict(line, number=1, modifiers=["59", "RT"], date_from="2025-03-04")]}
    f1, f2, f3 = run(packs_of("duplicate"), [first, reordered, next_day], None)
    assert f1 == [] and f3 == []
    assert ids(f2) == ["INT-DUP-001"] and "MADE-UP-PACKS-S1" in f2[0].message


# ---- the corpus ---------------------------------------------------------------------------------------
def test_corpus_scrub_with_every_pack_accounts_for_every_claim_and_engines_agree(corpus_dir, icd_refdata):
    from scrubber.readers import input_files, iter_records
    from scrubber.model import RunError

    claims = [r.claim for r in iter_records(input_files([str(corpus_dir)]))
              if not isinstance(r, RunError) and r.claim is not None]
    assert len(claims) > 1000
    eng = Engine(load_packs(default_rule_dirs()), refdata=icd_refdata, verify=True, workers=0)
    found, errors = eng.evaluate(claims)
    assert errors == [], [e.message for e in errors[:3]]
    assert set(found) <= set(range(len(claims)))
    by_rule = {f.rule_id for fs in found.values() for f in fs}
    assert {"COD-PROC-001", "MOD-25EM-001", "INT-POS-001"} <= by_rule  # defects the corpus really has
