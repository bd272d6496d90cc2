"""The README opens with exactly two set-up commands, and CI runs the second one."""
import re

from conftest import ROOT


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands():
    cmds = readme_commands()
    assert len(cmds) == 2
    assert "claimscrub scrub" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci


def test_readme_first_command_exits_0_and_still_shows_the_findings(tmp_path):
    """The first command a newcomer runs succeeds and shows the sample defects (issue 18 item 9)."""
    import os
    import shlex
    import subprocess
    import sys

    from datadir import seeded

    scrub = readme_commands()[0].split("&&")[-1].split()
    assert scrub[0] == ".venv/bin/claimscrub"
    res = subprocess.run([sys.executable, "-m", "scrubber", *scrub[1:], "--no-ledger"], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "CLAIMSCRUB_DATA_DIR": str(seeded(tmp_path))})
    assert res.returncode == 0, res.stderr
    assert "INT-BAL-001" in res.stdout and "flagged" in res.stdout
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "without it the same command exits 1" in text and "A pipeline gates on that exit code" in text
    assert shlex.split(readme_commands()[0])  # still one valid shell line
