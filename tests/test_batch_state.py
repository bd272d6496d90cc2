"""One batch state per run: nothing a run learns survives in the process for the next run.

Every rule, value set and claim here is MADE UP for the test (codes are real CPT numbers).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from scrubber.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _pack(root: Path, name: str, codes: list[str]) -> Path:
    """A made-up pack: value set ``made-up-visits`` with ``codes`` and one rule testing it."""
    pack = root / name
    (pack / "valuesets").mkdir(parents=True)
    (pack / "valuesets" / "made-up-visits.yaml").write_text(
        "id: made-up-visits\ntitle: MADE-UP visit codes for a test\nsource: made up for a test\ncodes:\n"
        + "".join(f'  - "{c}"\n' for c in codes))
    (pack / "MADE-UP-VS-001.yaml").write_text(
        "id: MADE-UP-VS-001\ntitle: made-up rule over a made-up value set\nseverity: info\ncategory: code-validity\n"
        "for: line\nmessage: \"line {line.number} bills a made-up visit code\"\n"
        "when:\n  all:\n    - {fact: line, field: code, op: in_set, value: made-up-visits}\n")
    return pack


def _normal(text: str) -> dict:
    out = json.loads(text)
    out["run"].pop("started", None)
    out["run"].pop("finished", None)
    return out


def _args(paths: list[str], pack: Path | None) -> list[str]:
    return ["scrub", *paths, "--format", "json", "--no-ledger", "--fail-on", "never"] + (["--rules", str(pack)] if pack else [])


def test_runs_in_one_process_match_runs_in_fresh_processes(tmp_path, monkeypatch):
    a = _pack(tmp_path, "a", ["99213", "99214"])
    b = _pack(tmp_path, "b", ["99203"])
    # readable files only (an unreadable one makes the run exit 3, exitcodes.INPUT)
    inputs = sorted(str(p) for p in (FIXTURES / "x12").glob("*.837")) + [str(FIXTURES / "claims")]
    # the same batch twice, then other packs: duplicates, value sets and counts must start afresh
    sequence = [a, a, b, None, a]
    runner = CliRunner()
    in_process = []
    for pack in sequence:
        res = runner.invoke(cli, _args(inputs, pack), catch_exceptions=False)
        assert res.exit_code == 0, res.output
        in_process.append(_normal(res.stdout))
    env = dict(os.environ)
    fresh = {}
    for pack in (a, b, None):
        proc = subprocess.run([sys.executable, "-m", "scrubber", *_args(inputs, pack)], capture_output=True,
                              text=True, env=env, check=True)
        fresh[pack] = _normal(proc.stdout)
    for pack, got in zip(sequence, in_process):
        assert got == fresh[pack]
    # the made-up rule really ran, with each run's own value set
    fired = lambda out: {f["message"] for c in out["claims"] for f in c["findings"] if f["rule_id"] == "MADE-UP-VS-001"}  # noqa: E731
    assert fired(in_process[0]) and fired(in_process[0]) != fired(in_process[2])
    assert not fired(in_process[3])
    # a batch duplicate is found within a run (the fixture batch repeats services), never across runs
    dups = lambda out: sum(f["rule_id"] == "INT-DUP-001" for c in out["claims"] for f in c["findings"])  # noqa: E731
    assert dups(in_process[0]) == dups(in_process[1])


def test_no_module_keeps_a_run_in_a_global():
    """The process globals that held run state are gone (a regression guard for the refactor)."""
    from scrubber.engine import core
    from scrubber.fields import common as packs_common, ncci as packs_ncci, payer as payer_rules

    for mod, names in ((core, ("TEST_CRASH_HOOK", "_cids")), (packs_ncci, ("_BATCHES", "_MUE_LAST")),
                       (packs_common, ("_SIGNATURES",)), (payer_rules, ("_VALUESETS", "_MEMO"))):
        for name in names:
            assert not hasattr(mod, name), f"{mod.__name__}.{name}"
    src = Path(payer_rules.__file__).read_text()
    assert not re.search(r"__dict__\[", src)
