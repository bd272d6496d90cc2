"""Issue 20 item 1: an input the run could not read never looks like a clean batch at the gate.

Through the CLI as a pipeline runs it: a mistyped path, a garbage file or an empty directory
exits 3 (scrubber/exitcodes.py INPUT, in --help and the README), even with --fail-on never, and
--clean-out leaves no "ready to send" file behind (not even a stale one from an earlier run).
"""
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from scrubber import exitcodes
from scrubber.cli import cli

SAMPLES = ROOT / "fixtures" / "claims"


def scrub(*args):
    return CliRunner().invoke(cli, ["scrub", *map(str, args), "--no-ledger"], catch_exceptions=False)


def bad_input(kind, tmp_path):
    if kind == "missing":
        return tmp_path / "nonexist.837"
    if kind == "garbage":
        (tmp_path / "garbage.837").write_text("this is not a claim file\n")
        return tmp_path / "garbage.837"
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


@pytest.mark.parametrize("kind", ["missing", "garbage", "empty-dir"])
def test_unreadable_input_exits_3_and_writes_no_clean_file(kind, tmp_path):
    path = bad_input(kind, tmp_path)
    ready = tmp_path / "ready.837"
    ready.write_text("stale file from an earlier run")
    res = scrub(path, "--clean-out", ready, "--fail-on", "never")
    assert res.exit_code == exitcodes.INPUT == 3
    assert not ready.exists()
    assert f"{ready} not written" in res.stderr and str(path) in res.stderr


def test_one_bad_path_among_good_ones_still_fails_the_gate(tmp_path):
    res = scrub(SAMPLES, tmp_path / "typo.837", "--format", "json", "--fail-on", "never")
    assert res.exit_code == 3
    assert '"claims_total": 9' in res.stdout  # the readable claims are still all reported


def test_a_readable_batch_keeps_its_exit_codes(tmp_path):
    ready = tmp_path / "ready.837"
    assert scrub(SAMPLES, "--clean-out", ready).exit_code == 1
    assert ready.read_text().startswith("ISA")
    assert scrub(SAMPLES, "--fail-on", "never").exit_code == 0


def test_exit_code_3_is_documented_in_help_and_readme():
    for args in (["--help"], ["scrub", "--help"]):
        out = CliRunner().invoke(cli, args).stdout
        assert "3 an input could not be read" in " ".join(out.split()), args
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "**3** an input could not be read" in readme


def test_the_installed_command_exits_3_on_a_missing_file(tmp_path):
    res = subprocess.run([sys.executable, "-m", "scrubber", "scrub", str(tmp_path / "nope.837"), "--no-ledger"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 3
    assert "cannot open the file" in res.stdout
