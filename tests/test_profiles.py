"""Payer profiles: the shipped ones, matching claims, extends, provenance, and author errors with file:line."""
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from scrubber.config import ConfigError, load_profiles, load_settings
from scrubber.config.profiles import PACKAGED_PROFILE_DIR
from scrubber.model import Claim, Payer, Person, Source

NO_ENV = {}


def load(*dirs, settings=None):
    return load_profiles(dirs=[str(d) for d in dirs], settings=settings or load_settings(env=NO_ENV, cwd="/"))


@pytest.fixture(scope="module")
def shipped():
    return load(PACKAGED_PROFILE_DIR)


def claim(payer_id=None, payer_name=None, sbr09=None):
    """A MADE-UP claim carrying only what profile matching reads."""
    return Claim(
        claim_id="MADE-UP-MATCH-1", kind="837P", source=Source("made-up.json"),
        payer=Payer(name=payer_name, payer_id=payer_id), claim_filing_indicator=sbr09,
        subscriber=Person(member_id="MADEUP1"), service_from=date(2025, 1, 1),
    )


def line_of(path, text) -> int:
    """1-based line of the first line of ``path`` that starts with ``text`` (so tests survive edits)."""
    return next(n for n, line in enumerate(Path(path).read_text().splitlines(), 1) if line.startswith(text))


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture
def profile_dir(tmp_path):
    """A private copy of the default profile to build bad profiles beside."""
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "default.yaml").write_text((PACKAGED_PROFILE_DIR / "default.yaml").read_text())
    return d


def problems_of(directory):
    with pytest.raises(ConfigError) as exc:
        load(directory)
    return exc.value.problems


# --- shipped profiles -----------------------------------------------------------------------

def test_shipped_profiles_load(shipped):
    assert shipped.ids() == ["commercial-example", "default", "medicaid-example", "medicare"]
    assert shipped["medicare"].chain == ("medicare", "default")


def test_every_real_parameter_cites_a_regulation_or_manual(shipped):
    for pid in ("default", "medicare"):
        prof = shipped[pid]
        assert not prof.example
        for name in prof.params:
            assert re.search(r"CFR|CMS|Manual|NCCI|claimscrub default", prof.sources[name]), (pid, name)
    assert "42 CFR 424.44" in shipped["medicare"].sources["timely_filing"]


def test_example_profiles_say_their_values_are_examples(shipped):
    for pid in ("commercial-example", "medicaid-example"):
        prof = shipped[pid]
        assert prof.example
        text = (PACKAGED_PROFILE_DIR / f"{pid}.yaml").read_text()
        assert "EXAMPLE PROFILE" in text
        own = [n for n, v in prof.params.items() if v.origin.startswith(f"payer_profiles/{pid}.yaml") or f"{pid}.yaml" in v.origin]
        assert own
        for name in own:
            assert "EXAMPLE" in prof.sources[name], name


def test_medicare_and_commercial_example_differ_where_rules_look(shipped):
    med, com = shipped["medicare"].param_values(), shipped["commercial-example"].param_values()
    assert med["timely_filing"] != com["timely_filing"]
    assert med["member_id_pattern"] != com["member_id_pattern"]
    assert med["sex_edits"] != com["sex_edits"]
    assert "prior_auth" in com and "prior_auth" not in med


# --- matching -------------------------------------------------------------------------------

def test_claim_filing_indicator_mb_gets_medicare(shipped):
    assert shipped.for_claim(claim(sbr09="MB")).id == "medicare"
    # Example profiles never claim real Medicaid / commercial claims on their own (made-up values).
    assert shipped.for_claim(claim(sbr09="MC")).id == "default"
    assert shipped.for_claim(claim(sbr09="CI")).id == "default"


def test_payer_id_wins_over_filing_indicator(shipped):
    assert shipped.for_claim(claim(payer_id="MADE-UP-COMM01", sbr09="MC")).id == "commercial-example"


def test_payer_name_matches_case_and_space_insensitively(shipped):
    assert shipped.for_claim(claim(payer_name="Example  Commercial health plan")).id == "commercial-example"


def test_unmatched_claim_gets_default(shipped):
    assert shipped.for_claim(claim(payer_id="MADE-UP-NOBODY", sbr09="WC")).id == "default"


def test_forced_profile_wins_and_unknown_forced_is_an_error(shipped):
    assert shipped.for_claim(claim(sbr09="MB"), forced="commercial-example").id == "commercial-example"
    with pytest.raises(ConfigError, match="unknown payer profile 'nope'.*medicare"):
        shipped.for_claim(claim(), forced="nope")


# --- extends, switches, provenance ----------------------------------------------------------

def test_child_inherits_overrides_and_records_origins(profile_dir):
    write(profile_dir, "parent", """
        id: parent
        title: MADE-UP parent
        rules: {disabled: [MADE-UP-R1, MADE-UP-R2]}
        packs: {disabled: [made-up-pack]}
        severity: {MADE-UP-R3: warning}
        params:
          referral_required: true
          timely_filing: {days: 90, from: date_of_service}
        sources: {referral_required: EXAMPLE, timely_filing: EXAMPLE}
    """)
    write(profile_dir, "child", """
        id: child
        title: MADE-UP child
        extends: parent
        rules:
          enabled: [MADE-UP-R2]
        severity:
          MADE-UP-R3: info
        params:
          timely_filing: {months: 6, from: date_of_service}
        sources:
          timely_filing: EXAMPLE
    """)
    child = load(profile_dir)["child"]
    assert child.chain == ("child", "parent", "default")
    assert child.params["timely_filing"].value == {"months": 6, "from": "date_of_service"}
    assert child.params["timely_filing"].origin.endswith("child.yaml:9")
    assert child.params["referral_required"].origin.endswith("parent.yaml:7")
    assert child.params["sex_edits"].origin.endswith(f"default.yaml:{line_of(profile_dir / 'default.yaml', '  sex_edits:')}")
    assert set(child.disabled_rules) == {"MADE-UP-R1"}
    assert child.severity["MADE-UP-R3"].value == "info"
    assert child.rule_status("MADE-UP-R1", "other", "error") == (False, "error")
    assert child.rule_status("MADE-UP-R2", "other", "error") == (True, "error")
    assert child.rule_status("MADE-UP-R3", "other", "error") == (True, "info")
    assert child.rule_status("MADE-UP-R9", "made-up-pack", "warning") == (False, "warning")
    ctx = child.context()
    assert ctx.disabled_rules == frozenset({"MADE-UP-R1"}) and ctx.disabled_packs == frozenset({"made-up-pack", "policies"})
    assert ctx.severity_overrides == {"MADE-UP-R3": "info"}


def test_match_is_not_inherited(profile_dir):
    write(profile_dir, "base", "id: base\ntitle: MADE-UP\nmatch: {claim_filing_indicators: [CI]}\n")
    write(profile_dir, "derived", "id: derived\ntitle: MADE-UP\nextends: base\n")
    ps = load(profile_dir)
    assert ps.for_claim(claim(sbr09="CI")).id == "base"
    assert ps["derived"].match == {}


def test_sha256_changes_with_an_effective_value(profile_dir):
    path = write(profile_dir, "p", "id: p\ntitle: MADE-UP\nparams: {referral_required: true}\nsources: {referral_required: EXAMPLE}\n")
    first = load(profile_dir)["p"].sha256
    path.write_text(path.read_text().replace("true", "false"))
    assert load(profile_dir)["p"].sha256 != first


# --- author errors: file and line -----------------------------------------------------------

def test_unknown_key_is_an_error_with_file_and_line(profile_dir):
    write(profile_dir, "bad", """
        id: bad
        title: MADE-UP
        params:
          referral_required: true
          timely_filling: {days: 90, from: date_of_service}
        sources: {referral_required: EXAMPLE}
    """)
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:5:" in problem and "timely_filling" in problem and "timely_filing" in problem


def test_wrong_type_is_an_error_with_file_and_line(profile_dir):
    write(profile_dir, "bad", "id: bad\ntitle: MADE-UP\nparams:\n  referral_required: yes please\nsources: {referral_required: EXAMPLE}\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:4:" in problem and "true or false" in problem


def test_wrong_enum_names_the_allowed_values(profile_dir):
    write(profile_dir, "bad", "id: bad\ntitle: MADE-UP\nparams:\n  timely_filing:\n    days: 90\n    from: date_of_filing\nsources: {timely_filing: EXAMPLE}\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:6:" in problem and "end_of_calendar_year" in problem


def test_unknown_extends_is_an_error_with_file_and_line(profile_dir):
    write(profile_dir, "bad", "id: bad\ntitle: MADE-UP\nextends: medicar\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:3:" in problem and "'medicar'" in problem and "known:" in problem


def test_extends_cycle_is_an_error(profile_dir):
    write(profile_dir, "a", "id: a\ntitle: MADE-UP\nextends: b\n")
    write(profile_dir, "b", "id: b\ntitle: MADE-UP\nextends: a\n")
    assert any("cycle" in p for p in problems_of(profile_dir))


def test_parameter_without_source_is_an_error(profile_dir):
    write(profile_dir, "bad", "id: bad\ntitle: MADE-UP\nparams:\n  referral_required: true\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:4:" in problem and "no source" in problem


def test_timely_filing_needs_exactly_one_of_days_or_months(profile_dir):
    write(profile_dir, "bad", "id: bad\ntitle: MADE-UP\nparams:\n  timely_filing: {days: 1, months: 1, from: date_of_service}\nsources: {timely_filing: EXAMPLE}\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:4:" in problem and "exactly one of days or months" in problem


def test_bad_regex_and_bad_date_are_errors(profile_dir):
    write(profile_dir, "bad", """
        id: bad
        title: MADE-UP
        params:
          member_id_pattern: "^[A-Z"
          sex_edits: {enabled: true, until: "2024-02-30"}
        sources: {member_id_pattern: EXAMPLE, sex_edits: EXAMPLE}
    """)
    problems = problems_of(profile_dir)
    assert any("bad.yaml:4:" in p and "regular expression" in p for p in problems)
    assert any("bad.yaml:5:" in p and "2024-02-30" in p for p in problems)


def test_id_must_match_file_name(profile_dir):
    write(profile_dir, "bad", "id: other\ntitle: MADE-UP\n")
    (problem,) = problems_of(profile_dir)
    assert "bad.yaml:1:" in problem and "id: bad" in problem


def test_two_profiles_matching_the_same_payer_is_an_error(profile_dir):
    write(profile_dir, "one", "id: one\ntitle: MADE-UP\nmatch: {payer_ids: [MADE-UP-X]}\n")
    write(profile_dir, "two", "id: two\ntitle: MADE-UP\nmatch:\n  payer_ids:\n    - MADE-UP-X\n")
    (problem,) = problems_of(profile_dir)
    assert "two.yaml:5:" in problem and "also matched by profile 'one'" in problem


def test_yaml_syntax_error_and_duplicate_key(profile_dir):
    write(profile_dir, "syntax", "id: syntax\ntitle: [unclosed\n")
    write(profile_dir, "dup", "id: dup\ntitle: MADE-UP\ntitle: again\n")
    problems = problems_of(profile_dir)
    assert any("syntax.yaml:" in p and "YAML syntax error" in p for p in problems)
    assert any("dup.yaml:3:" in p and "appears twice" in p for p in problems)


def test_unsafe_yaml_tags_are_refused(profile_dir):
    write(profile_dir, "evil", "id: evil\ntitle: !!python/object/apply:os.system ['true']\n")
    assert any("evil.yaml" in p for p in problems_of(profile_dir))


def test_missing_default_profile_is_an_error(tmp_path):
    write(tmp_path, "lonely", "id: lonely\ntitle: MADE-UP\n")
    with pytest.raises(ConfigError, match="no 'default' profile"):
        load(tmp_path)


def test_rule_ids_that_do_not_exist_are_errors_with_line(profile_dir):
    write(profile_dir, "p", "id: p\ntitle: MADE-UP\nrules:\n  disabled: [MADE-UP-GONE]\nseverity:\n  MADE-UP-REAL: info\n  MADE-UP-TYPO: info\n")
    ps = load(profile_dir)
    with pytest.raises(ConfigError) as exc:
        ps.check_rules(rule_ids={"MADE-UP-REAL"}, packs={"made-up-pack", "policies"})
    problems = exc.value.problems
    assert len(problems) == 2
    assert any("p.yaml:4:" in p and "MADE-UP-GONE" in p for p in problems)
    assert any("p.yaml:7:" in p and "MADE-UP-TYPO" in p for p in problems)
    ps.check_rules(rule_ids={"MADE-UP-REAL", "MADE-UP-GONE", "MADE-UP-TYPO"}, packs={"policies"})  # all known: no error


def test_same_profile_id_in_two_directories_is_an_error(profile_dir, tmp_path):
    other = tmp_path / "more"
    other.mkdir()
    write(other, "medicare", "id: medicare\ntitle: MADE-UP copy\n")
    with pytest.raises(ConfigError, match="already defined"):
        load(PACKAGED_PROFILE_DIR, other)


def test_shipped_profile_files_validate_against_the_published_schema():
    import json

    import jsonschema
    import yaml

    schema = json.loads((Path(__file__).resolve().parent.parent / "scrubber/schemas/payer_profile.schema.json").read_text())
    paths = sorted(PACKAGED_PROFILE_DIR.glob("*.yaml"))
    assert len(paths) >= 4, PACKAGED_PROFILE_DIR  # default, medicare and the two examples
    for path in paths:
        data = yaml.safe_load(path.read_text())
        # YAML turns unquoted dates into date objects; the shipped files quote theirs.
        jsonschema.validate(data, schema)


def test_manifest_lists_ids_and_digests_for_the_run_record(shipped):
    rows = shipped.manifest(["medicare", "default", "medicare"])
    assert [r["id"] for r in rows] == ["default", "medicare"]
    assert rows[1]["sha256"] == shipped["medicare"].sha256
    assert len(shipped.manifest()) == 4


def test_coverage_policies_run_for_medicare_only(shipped):
    assert shipped["default"].rule_status("NCD-210-12", "policies", "error") == (False, "error")
    assert shipped["commercial-example"].rule_status("NCD-210-12", "policies", "error")[0] is False
    assert shipped["medicare"].rule_status("NCD-210-12", "policies", "error") == (True, "error")
