"""The progress line of scrub and audit: --progress draws it even into a pipe, it is off by default
when standard error is not a terminal and with -q, and it names no patient (made-up sample claims)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scrubber.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "fixtures" / "claims"


def _stderr(tmp_path, *args: str) -> str:
    """Standard error of one run in this process (click's CliRunner: its standard error is a pipe,
    not a terminal, as a subprocess's captured one is), from ``tmp_path`` as the working directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        run = CliRunner().invoke(cli, [*args, str(CLAIMS), "--no-ledger", "--format", "json",
                                       "-o", str(tmp_path / "out.json"), "--jobs", "1"])
    assert run.exit_code in (0, 1), run.output
    return run.stderr


@pytest.mark.parametrize("command", [["scrub"], ["audit", "run"]])
def test_progress_is_drawn_when_asked_and_never_by_default_into_a_pipe(tmp_path, command):
    shown = _stderr(tmp_path, *command, "--progress")
    line = [ln for ln in shown.replace("\r", "\n").splitlines() if "/s" in ln]
    assert line and line[-1].lstrip().startswith("9 claims"), shown
    import json

    names: set = set()  # the sample JSON claims' patients and members, which the line must never show
    for f in CLAIMS.glob("*.json"):
        text = f.read_text(encoding="utf-8")
        for key in ("last_name", "first_name", "member_id"):
            names.update(v for v in _values(json.loads(text), key) if isinstance(v, str) and len(v) > 2)
    assert names and not [n for n in names if n in shown]
    assert "/s" not in _stderr(tmp_path, *command)  # not a terminal: no line
    assert "/s" not in _stderr(tmp_path, *command, "--progress", "--no-progress")


def _values(obj, key):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _values(v, key)
