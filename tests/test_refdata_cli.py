"""`claimscrub refdata import` and `list` through click's CliRunner."""
from pathlib import Path

from click.testing import CliRunner

from scrubber.cli import cli

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"


def test_import_then_list_then_reimport(tmp_path):
    runner = CliRunner()
    data = str(tmp_path / "data")
    r = runner.invoke(cli, ["refdata", "import", "ncci-ptp", str(FIX / "SAMPLE-ccipra-v320r0-f1.txt"), "--data-dir", data])
    assert r.exit_code == 0, r.output
    assert "imported 5 rows of ncci-ptp practitioner edition 2026Q1" in r.output
    r = runner.invoke(cli, ["refdata", "import", "mue", str(FIX / "SAMPLE-MUE-Practitioner-2026Q1.csv"), "--data-dir", data])
    assert r.exit_code == 0 and "3 rows" in r.output
    r = runner.invoke(cli, ["refdata", "import", "ncci-ptp", str(FIX / "SAMPLE-ccipra-v320r0-f1.txt"), "--data-dir", data])
    assert r.exit_code == 0 and "already imported" in r.output
    r = runner.invoke(cli, ["refdata", "list", "--data-dir", data])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[1].split()[:5] == ["kind", "setting", "edition", "effective", "rows"]
    assert any(l.split()[:5] == ["mue", "practitioner", "2026Q1", "2026-01-01", "3"] for l in lines)
    assert any(l.split()[:5] == ["ncci-ptp", "practitioner", "2026Q1", "2026-01-01", "5"] for l in lines)


def test_bad_file_exits_2_with_file_and_line(tmp_path):
    r = CliRunner().invoke(cli, ["refdata", "import", "ncci-ptp", str(FIX / "SAMPLE-BAD-ccipra-v320r0-f1.txt"),
                                 "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2
    assert "SAMPLE-BAD-ccipra-v320r0-f1.txt:8:" in r.output
    assert "Traceback" not in r.output


def test_edition_flag_and_env_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(tmp_path / "env"))
    src = tmp_path / "hcpcs.txt"
    src.write_bytes((FIX / "SAMPLE-HCPC2026_JAN_ANWEB.txt").read_bytes())
    r = CliRunner().invoke(cli, ["refdata", "import", "hcpcs", str(src)])
    assert r.exit_code == 2 and "--edition" in r.output
    r = CliRunner().invoke(cli, ["refdata", "import", "hcpcs", str(src), "--edition", "2026-01-01"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "env" / "refdata.sqlite3").is_file()


def test_setup_cfg_data_dir_is_where_refdata_import_writes_and_scrub_reads(tmp_path, monkeypatch):
    """Bug: `config show` reported setup.cfg's data_dir, but `refdata import` wrote to the XDG
    default, so the next scrub ran without the imported table."""
    import json

    monkeypatch.delenv("CLAIMSCRUB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    project, configured = tmp_path / "project", tmp_path / "configured"
    project.mkdir()
    (project / "setup.cfg").write_text(f"[claimscrub]\ndata_dir = {configured}\n")
    monkeypatch.chdir(project)
    runner = CliRunner()
    shown = runner.invoke(cli, ["config", "show", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert str(configured) in shown.stdout
    r = runner.invoke(cli, ["refdata", "import", "mue", str(FIX / "SAMPLE-MUE-Practitioner-2026Q1.csv")])
    assert r.exit_code == 0, r.output
    assert (configured / "refdata.sqlite3").is_file()
    assert not (tmp_path / "xdg" / "claimscrub").exists()
    listed = runner.invoke(cli, ["refdata", "list"])
    assert f"data directory: {configured}" in listed.output and "2026Q1" in listed.output
    claims = Path(__file__).resolve().parent.parent / "fixtures" / "claims" / "claims.json"
    scrub = runner.invoke(cli, ["scrub", str(claims), "--format", "json", "--fail-on", "never"])
    assert scrub.exit_code == 0, scrub.output
    kinds = [t["kind"] for t in json.loads(scrub.stdout)["run"]["refdata"]]
    assert "mue:practitioner" in kinds


def test_rules_test_builds_its_rule_case_store_in_the_setup_cfg_data_dir(tmp_path, monkeypatch):
    """Bug: `rules test` read only CLAIMSCRUB_DATA_DIR, so with setup.cfg's data_dir it built its
    rule-case store (built-in ICD-10-CM plus the packaged CMS-layout samples) in the XDG default."""
    from datadir import seeded

    monkeypatch.delenv("CLAIMSCRUB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    project, configured = tmp_path / "project", tmp_path / "configured"
    project.mkdir()
    (project / "setup.cfg").write_text(f"[claimscrub]\ndata_dir = {configured}\n")
    seeded(configured / "rule-cases")  # the built-in ICD-10-CM part already parsed (speed only)
    monkeypatch.chdir(project)
    runner = CliRunner()
    r = runner.invoke(cli, ["rules", "test", "-k", "NCCI-PTP-001"])
    assert r.exit_code == 0, r.output
    assert "0 failed" in r.output and "PASSED NCCI-PTP-001::" in r.output
    assert not (tmp_path / "xdg" / "claimscrub").exists()
    listed = runner.invoke(cli, ["refdata", "list", "--data-dir", str(configured / "rule-cases")])
    assert listed.exit_code == 0, listed.output
    assert any(l.split()[:3] == ["ncci-ptp", "practitioner", "2026Q1"] for l in listed.output.splitlines())
    # --data-dir on the command line comes first, as for every command
    other = tmp_path / "other"
    seeded(other / "rule-cases")
    r = runner.invoke(cli, ["rules", "test", "-k", "NCCI-PTP-001", "--data-dir", str(other)])
    assert r.exit_code == 0, r.output
    assert "ncci-ptp" in runner.invoke(cli, ["refdata", "list", "--data-dir", str(other / "rule-cases")]).output
