"""Layered configuration: defaults < profile < setup.cfg / claimscrub.toml < environment < command line."""
import json
import textwrap

from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli
from scrubber.config import ConfigError, load_profiles, load_settings
from scrubber.config.profiles import PACKAGED_PROFILE_DIR

MEDICARE = PACKAGED_PROFILE_DIR / "medicare.yaml"


def line_of(path, text) -> int:
    return next(n for n, line in enumerate(Path(path).read_text().splitlines(), 1) if line.startswith(text))


def project(tmp_path, setup_cfg=None, toml=None):
    if setup_cfg is not None:
        (tmp_path / "setup.cfg").write_text(textwrap.dedent(setup_cfg).lstrip())
    if toml is not None:
        (tmp_path / "claimscrub.toml").write_text(textwrap.dedent(toml).lstrip())
    return str(tmp_path)


def test_packaged_defaults_say_where_they_come_from(tmp_path):
    s = load_settings(cwd=str(tmp_path), env={})
    assert s.values["fail_on"].value == "error"
    assert s.values["fail_on"].origin == "packaged default"


def test_setup_cfg_section_overrides_defaults_with_file_and_line(tmp_path):
    cwd = project(tmp_path, """
        [metadata]
        name = made-up

        [claimscrub]
        fail_on = warning
        disable_rules = MADE-UP-R1, MADE-UP-R2
    """)
    s = load_settings(cwd=cwd, env={})
    assert s.get("fail_on") == "warning"
    assert s.values["fail_on"].origin == "setup.cfg:5 [claimscrub]"
    assert s.get("disable_rules") == ("MADE-UP-R1", "MADE-UP-R2")


def test_unknown_key_in_setup_cfg_is_an_error_with_line(tmp_path):
    cwd = project(tmp_path, "[claimscrub]\nfail_on = warning\nfail-on-warnings = yes\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(cwd=cwd, env={})
    (problem,) = exc.value.problems
    assert problem.startswith("setup.cfg:3") and "fail-on-warnings" in problem


def test_bad_choice_names_the_allowed_values(tmp_path):
    cwd = project(tmp_path, "[claimscrub]\nfail_on = sometimes\n")
    with pytest.raises(ConfigError, match="setup.cfg:2.*error, warning, info, never"):
        load_settings(cwd=cwd, env={})


def test_claimscrub_toml_is_read(tmp_path):
    cwd = project(tmp_path, toml="""
        [claimscrub]
        format = "json"
        severity = {MADE-UP-R1 = "info"}

        [claimscrub.params]
        referral_required = true
    """)
    s = load_settings(cwd=cwd, env={})
    assert s.get("format") == "json" and s.values["format"].origin == "claimscrub.toml:2"
    assert s.get("severity") == {"MADE-UP-R1": "info"}
    assert s.params["referral_required"].value is True


def test_both_project_files_is_an_error(tmp_path):
    cwd = project(tmp_path, "[claimscrub]\nformat = json\n", '[claimscrub]\nformat = "text"\n')
    with pytest.raises(ConfigError, match="keep one"):
        load_settings(cwd=cwd, env={})


def test_environment_beats_project_file_and_command_line_beats_both(tmp_path):
    cwd = project(tmp_path, "[claimscrub]\nfail_on = warning\npayer = medicare\n")
    env = {"CLAIMSCRUB_FAIL_ON": "info", "CLAIMSCRUB_PAYER": "medicaid-example"}
    s = load_settings(cwd=cwd, env=env, cli={"payer": "commercial-example"})
    assert (s.get("fail_on"), s.values["fail_on"].origin) == ("info", "environment CLAIMSCRUB_FAIL_ON")
    assert (s.get("payer"), s.values["payer"].origin) == ("commercial-example", "command line (payer)")


def test_unknown_environment_variable_is_a_warning_not_silence(tmp_path):
    s = load_settings(cwd=str(tmp_path), env={"CLAIMSCRUB_FAIL_ONN": "info"})
    assert any("CLAIMSCRUB_FAIL_ONN" in w for w in s.warnings)


def test_project_values_apply_on_top_of_the_payer_profile(tmp_path):
    cwd = project(tmp_path, """
        [claimscrub]
        disable_rules = MADE-UP-R7
        severity = MADE-UP-R8=info
        params.timely_filing = {"days": 120, "from": "date_of_service"}
    """)
    settings = load_settings(cwd=cwd, env={"CLAIMSCRUB_PARAM_REFERRAL_REQUIRED": "true"})
    medicare = load_profiles(settings=settings)["medicare"]
    assert medicare.params["timely_filing"].value == {"days": 120, "from": "date_of_service"}
    assert medicare.params["timely_filing"].origin == "setup.cfg:4 [claimscrub]"
    assert medicare.params["referral_required"].origin == "environment CLAIMSCRUB_PARAM_REFERRAL_REQUIRED"
    assert medicare.disabled_rules["MADE-UP-R7"] == "setup.cfg:2 [claimscrub]"
    assert medicare.rule_status("MADE-UP-R8", "any", "error") == (True, "info")
    # the profile's own values are untouched where nothing overrides them
    assert medicare.params["member_id_pattern"].origin.endswith(f"medicare.yaml:{line_of(MEDICARE, '  member_id_pattern:')}")


def test_invalid_parameter_override_is_an_error(tmp_path):
    cwd = project(tmp_path, '[claimscrub]\nparams.timely_filing = {"days": "ninety", "from": "date_of_service"}\n')
    with pytest.raises(ConfigError, match="setup.cfg:2.*whole number"):
        load_settings(cwd=cwd, env={})


# --- claimscrub config show -----------------------------------------------------------------

def run(args, env=None):
    return CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)


def test_config_show_payer_medicare_prints_values_and_origins():
    result = run(["config", "show", "--payer", "medicare"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "payer = medicare    # command line (payer)" in out
    assert "fail_on = error    # packaged default" in out
    tf = next(line for line in out.splitlines() if line.startswith("params.timely_filing"))
    assert '"months": 12' in tf and f"medicare.yaml:{line_of(MEDICARE, '  timely_filing:')}" in tf and "42 CFR 424.44" in tf
    assert any(line.startswith("params.ptp_bypass_modifiers") and "default.yaml" in line for line in out.splitlines())
    assert "profile.extends = medicare <- default" in out


def test_config_show_marks_example_profiles():
    result = run(["config", "show", "--payer", "commercial-example"])
    assert result.exit_code == 0
    assert "EXAMPLES, not a real payer's policy" in result.output


def test_config_show_json_is_machine_readable():
    result = run(["config", "show", "--payer", "medicare", "--format", "json"])
    doc = json.loads(result.output)
    values = {v["key"]: v for v in doc["profile"]["values"]}
    assert values["params.sex_edits"]["value"] == {"enabled": True, "until": "2024-09-30"}
    assert doc["profile"]["id"] == "medicare" and len(doc["profile"]["sha256"]) == 64


def test_config_show_unknown_payer_exits_2():
    result = run(["config", "show", "--payer", "no-such-payer"])
    assert result.exit_code == 2
    assert "unknown payer profile 'no-such-payer'" in result.output


def test_config_show_bad_profile_exits_2_with_file_and_line(tmp_path):
    (tmp_path / "made-up.yaml").write_text("id: made-up\ntitle: MADE-UP\nparams:\n  referal_required: true\n")
    result = run(["config", "show", "--profiles", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}/made-up.yaml:4: unknown key 'referal_required'" in result.output


def test_config_show_environment_origin():
    result = run(["config", "show"], env={"CLAIMSCRUB_FAIL_ON": "warning"})
    assert "fail_on = warning    # environment CLAIMSCRUB_FAIL_ON" in result.output


def test_the_compiled_reader_switches_are_not_taken_for_unknown_settings(monkeypatch):
    # CI sets CLAIMSCRUB_REQUIRE_COMPILED_READER; a warning on it broke `config show --format json`.
    for var in ("CLAIMSCRUB_REQUIRE_COMPILED_READER", "CLAIMSCRUB_PURE_READER", "CLAIMSCRUB_NO_COMPILE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("CLAIMSCRUB_MADE_UP_SETTING", "1")
    result = run(["config", "show", "--payer", "medicare", "--format", "json"])
    assert "CLAIMSCRUB_MADE_UP_SETTING is not a claimscrub setting" in result.output
    assert "READER" not in result.output and "NO_COMPILE" not in result.output


def test_profile_type_error_is_worded_like_rule_files_and_keeps_its_line(tmp_path):
    """One translator for schema errors: a profile's wrong type reads 'must be', as in a rule file
    (it read 'should be'); the file:line is the value's own line. The profile is MADE UP."""
    (tmp_path / "made-up.yaml").write_text("id: made-up\ntitle: MADE-UP\nparams:\n  referral_required: 'yes'\n")
    result = run(["config", "show", "--profiles", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}/made-up.yaml:4: params.referral_required must be true or false, not the text 'yes'" in result.output
