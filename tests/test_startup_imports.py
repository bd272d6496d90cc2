"""Start-up stays small: what `claimscrub` imports before it needs it is time every run pays
(`--help`, a 3-claim scrub, each CI lint). Each case runs in a fresh interpreter and lists the
modules loaded; a change that imports one of these again at the top of a module fails here
instead of silently costing every biller's small batch (bench/bench_startup.py measures it)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# modules no start-up needs (each is imported where it is used)
HEAVY = ("jsonschema", "durable", "lxml", "dask", "distributed", "scrubber.report.html", "scrubber.playground",
         "scrubber.denials")
# modules `--help` and `--version` need not even load
ENGINE = ("yaml", "scrubber.engine", "scrubber.rulespec", "scrubber.config", "scrubber.refdata", "scrubber.pipeline",
          "scrubber.cli.scrub_cmd", "scrubber.cli.audit_cmd", "scrubber.cli.rules_cmd")


def _loaded_after(code: str) -> set[str]:
    script = ("import sys\n" + code + "\nimport json\n"
              "print('\\n' + json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _cli(*args: str) -> str:
    return f"from scrubber.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass"


def _under(loaded: set[str], names) -> list[str]:
    return sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("args", [(), ("--help",), ("--version",)], ids=["import", "help", "version"])
def test_importing_the_cli_and_help_load_no_engine_or_heavy_module(args):
    loaded = _loaded_after(_cli(*args) if args else "import scrubber.cli")
    assert _under(loaded, HEAVY + ENGINE) == []


def test_preparing_a_scrub_of_the_shipped_rules_does_not_import_jsonschema_or_reports():
    """The shipped rule files and payer profiles conform, so loading them needs no jsonschema
    (rulespec.schemacheck answers); a scrub loads no HTML report, playground, denials or Dask."""
    loaded = _loaded_after(
        "from scrubber.runsetup import load_run_settings, prepare_run\n"
        "prepared = prepare_run(load_run_settings({}))\n"
        "assert len(prepared.packs.rules) > 50\n"
        "prepared.options(['fixtures/claims/professional.837'])")
    assert _under(loaded, HEAVY) == []


def test_a_scrub_of_837_claims_to_json_loads_no_heavy_module(tmp_path):
    loaded = _loaded_after(_cli("scrub", "fixtures/claims/professional.837", "--format", "json",
                                "-o", str(tmp_path / "out.json"), "--no-ledger", "--jobs", "1"))
    assert json.loads((tmp_path / "out.json").read_text())["claims"]
    assert _under(loaded, HEAVY) == []
