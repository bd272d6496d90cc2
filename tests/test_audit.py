"""`claimscrub audit`: recursive walk, .gz, filters, totals, the default HTML report, progress, ledger commands.

Until the X12 reader lands on main these tests read claims with tests/x12_testkit's stand-in
reader (monkeypatched in as the audit's reader); the walk, .gz, filters and outputs are audit's own.
"""
from __future__ import annotations

import gzip
import io
import json

import pytest
from click.testing import CliRunner
from stub_rules import StubEvaluator
from test_split import MADE_UP_837P
from x12_testkit import fake_reader

from scrubber.cli import cli
from scrubber.cli import audit_cmd
from scrubber.pipeline import ScrubOptions


@pytest.fixture
def batch(tmp_path):
    """A directory tree: the made-up batch at the top, a copy in a nested folder and a .gz copy."""
    root = tmp_path / "claims"
    (root / "2026" / "10").mkdir(parents=True)
    (root / "top.837").write_text(MADE_UP_837P)
    (root / "2026" / "10" / "nested.837").write_text(MADE_UP_837P.replace("MADE-UP-", "MADE-UP-N"))
    with gzip.open(root / "2026" / "packed.837.gz", "wt") as f:
        f.write(MADE_UP_837P.replace("MADE-UP-", "MADE-UP-G"))
    (root / ".hidden.837").write_text(MADE_UP_837P)
    return root


@pytest.fixture
def stub(monkeypatch):
    """The stand-in reader and the made-up rule set A in place of the real reader and engine."""
    monkeypatch.setattr(audit_cmd, "_read", fake_reader)
    evaluator = StubEvaluator("A")

    def options(paths, payer, data_dir, rule_dirs, eligibility, verify):
        return ScrubOptions(paths=list(paths), payer_profile=payer, evaluator=evaluator, rulesets=evaluator.rulesets())

    monkeypatch.setattr(audit_cmd, "scrub_options", options)
    return evaluator


def audit(*args, cwd=None):
    runner = CliRunner()
    return runner.invoke(cli, ["audit", *args], catch_exceptions=False)


def run_json(tmp_path, *args):
    out = tmp_path / "r.json"
    result = audit(*args, "--format", "json", "-o", str(out), "--ledger", str(tmp_path / "l.sqlite3"), "-q")
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_directories_are_walked_recursively_and_gz_files_are_read(tmp_path, batch, stub):
    r = run_json(tmp_path, str(batch))
    ids = [c["claim_id"] for c in r["claims"]]
    assert sorted(ids) == sorted(f"MADE-UP-{p}{n}" for p in ("", "N", "G") for n in (1, 2, 3))
    gz = [c for c in r["claims"] if c["claim_id"].startswith("MADE-UP-G")]
    assert {c["source"]["path"] for c in gz} == {str(batch / "2026" / "packed.837.gz")}
    assert {i["path"] for i in r["run"]["inputs"]} == {str(batch / "top.837"), str(batch / "2026" / "10" / "nested.837"),
                                                       str(batch / "2026" / "packed.837.gz")}
    assert all(len(i["sha256"]) == 64 for i in r["run"]["inputs"])


def test_filters_by_date_of_service_payer_and_provider(tmp_path, batch, stub):
    r = run_json(tmp_path, str(batch / "top.837"), "--since", "2026-10-06", "--until", "2026-10-06")
    assert [c["claim_id"] for c in r["claims"]] == ["MADE-UP-2"]
    assert r["run"]["claims_excluded_by_filters"] == 2
    assert r["run"]["filters"]["since"] == "2026-10-06"
    r = run_json(tmp_path, str(batch / "top.837"), "--payer-id", "NOT-A-PAYER")
    assert r["claims"] == []
    r = run_json(tmp_path, str(batch / "top.837"), "--payer-id", "MADEUP01", "--provider", "1234567893")
    assert len(r["claims"]) == 3
    r = run_json(tmp_path, str(batch / "top.837"), "--provider", "0000000000")
    assert r["claims"] == []


def test_html_report_by_default_with_totals_and_charges_at_risk(tmp_path, batch, stub, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = audit(str(batch), "--ledger", str(tmp_path / "l.sqlite3"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / audit_cmd.DEFAULT_REPORT).read_text()
    for section in ("totals-rule", "totals-payer", "totals-billing", "totals-rendering", "chart-category", "chart-risk-payer"):
        assert f'id="{section}"' in html
    assert "450.00" in html  # charges at risk: the three 150.00 claims over 100.00 flagged by the made-up rule
    assert "9 claims audited: 3 flagged, 0 unreadable; charges at risk 450.00" in result.stderr


def test_audit_run_is_the_same_command_spelled_out(tmp_path, batch, stub):
    a = run_json(tmp_path, str(batch / "top.837"))
    b_out = tmp_path / "b.json"
    res = audit("run", str(batch / "top.837"), "--format", "json", "-o", str(b_out), "--no-ledger", "-q")
    assert res.exit_code == 0
    assert json.loads(b_out.read_text())["claims"] == a["claims"]


def test_every_run_is_recorded_and_history_show_diff_read_it(tmp_path, batch, stub):
    ledger = str(tmp_path / "l.sqlite3")
    run_json(tmp_path, str(batch / "top.837"))
    stub.rule_set = "B"
    run_json(tmp_path, str(batch / "top.837"))
    history = audit("history", "--ledger", ledger)
    assert history.exit_code == 0 and "audit" in history.output and history.output.count("\n") == 3
    show = audit("show", "last", "--ledger", ledger)
    assert "made-up-pack" in show.output and "MADE-UP-LOW" in show.output
    diff = audit("diff", "1", "2", "--ledger", ledger)
    assert diff.exit_code == 0
    assert "2 findings appeared, 0 disappeared" in diff.output
    assert "+ MADE-UP-2 info MADE-UP-LOW" in diff.output
    as_json = json.loads(audit("diff", "1", "2", "--ledger", ledger, "--format", "json").output)
    assert [f["claim_id"] for f in as_json["appeared"]] == ["MADE-UP-2", "MADE-UP-3"]


def test_bad_arguments_are_usage_errors(tmp_path, batch, stub):
    assert audit(str(batch), "--since", "10/01/2026").exit_code == 2
    assert audit(str(tmp_path / "missing")).exit_code == 2
    ledger = str(tmp_path / "l.sqlite3")
    run_json(tmp_path, str(batch / "top.837"))
    res = audit("show", "99", "--ledger", ledger)
    assert res.exit_code == 2 and "no run 99" in res.output
    assert audit("history", "--ledger", str(tmp_path / "none.sqlite3")).exit_code == 2


def test_progress_line_shows_counts_and_rate_only_on_a_terminal():
    from scrubber.cli.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        p = Progress(stream=stream)
        for _ in range(3):
            p.update()
        p.close()
    assert "3 claims" in tty.getvalue() and "/s" in tty.getvalue()
    assert pipe.getvalue() == ""
    quiet = Tty()
    p = Progress(enabled=False, stream=quiet)
    p.update()
    p.close()
    assert quiet.getvalue() == ""


def test_audit_json_with_filters_still_validates_against_the_shipped_schema(tmp_path, batch, stub):
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files("scrubber").joinpath("schemas/run_result.schema.json").read_text())
    r = run_json(tmp_path, str(batch), "--since", "2026-10-06", "--payer-id", "MADEUP01")
    jsonschema.validate(r, schema)
    assert r["run"]["mode"] == "audit"


def test_options_may_come_before_the_paths(tmp_path, batch, stub):
    r = run_json(tmp_path, "--since", "2026-10-07", str(batch / "top.837"))
    assert [c["claim_id"] for c in r["claims"]] == ["MADE-UP-3"]
