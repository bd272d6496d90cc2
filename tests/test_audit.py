"""`claimscrub audit`: recursive walk, .gz, filters, totals, the default HTML report, progress, ledger commands.

Claims are read by the real reader; a made-up evaluator (tests/stub_rules.py) stands in for the
rule engine so the findings are known.
"""
from __future__ import annotations

import gzip
import io
import json

import pytest
from click.testing import CliRunner
from stub_rules import StubEvaluator
from test_split import MADE_UP_837P

from scrubber.cli import cli
from scrubber.cli import audit_cmd
from scrubber.pipeline import ScrubOptions
from datadir import seeded


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


class StubPrepared:
    """What `scrub_cmd.prepare` returns, with the made-up evaluator in place of the rule engine."""

    def __init__(self, evaluator, ledger):
        self.evaluator = evaluator
        from scrubber.config import load_settings

        self.settings = load_settings(cli={"ledger": ledger})  # setup.cfg / environment apply, as in a real run
        self.closed = False

    def options(self, paths, on_claim=None):
        return ScrubOptions(paths=list(paths), evaluator=self.evaluator, rulesets=self.evaluator.rulesets(),
                            on_claim=on_claim)

    def close(self):
        self.closed = True


@pytest.fixture
def stub(monkeypatch):
    """The made-up rule set A in place of the rule engine (the real reader reads the claims)."""
    evaluator = StubEvaluator("A")
    prepared = []

    def prepare(payer, data_dir, rule_dirs, eligibility, verify, ledger):
        prepared.append(StubPrepared(evaluator, ledger))
        return prepared[-1]

    monkeypatch.setattr(audit_cmd, "prepare", prepare)
    evaluator.prepared = prepared
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
    assert stub.prepared[-1].closed  # the engine is stopped after the run


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


def test_audit_honours_the_format_and_fail_on_settings_and_the_command_line_beats_them(tmp_path, batch, stub, monkeypatch):
    """Before, audit hard-coded html / never, so a project's setup.cfg never applied to it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[claimscrub]\nformat = json\nfail_on = error\n")
    result = audit(str(batch / "top.837"), "--ledger", str(tmp_path / "l.sqlite3"), "-q")
    assert result.exit_code == 1  # the made-up rule's error findings gate, as fail_on = error says
    assert len(json.loads(result.stdout)["claims"]) == 3  # JSON on standard output, no HTML file
    assert not (tmp_path / audit_cmd.DEFAULT_REPORT).exists()
    result = audit(str(batch / "top.837"), "--ledger", str(tmp_path / "l.sqlite3"), "-q", "--fail-on", "never",
                   "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("record,claim_id,")


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


def test_audit_of_the_bundled_claims_with_the_real_rules_records_a_reproducible_run(tmp_path, monkeypatch):
    """End to end: real reader, standard rule packs, the ledger in the data directory by default."""
    from pathlib import Path

    from scrubber.ledger import Ledger

    claims = Path(__file__).resolve().parent.parent / "fixtures" / "claims"
    data_dir = seeded(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        res = CliRunner().invoke(cli, ["audit", str(claims), "--data-dir", str(data_dir), "-q"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
    assert (tmp_path / audit_cmd.DEFAULT_REPORT).stat().st_size > 10_000
    with Ledger(str(data_dir / "ledger.sqlite3")) as ledger:
        first, second = ledger.runs()[1].id, ledger.runs()[0].id
        assert ledger.run_info(first)["rulesets"] and ledger.run_info(first)["inputs"]
        assert ledger.findings(first) == ledger.findings(second)
        assert len(ledger.findings(first)) > 0


def test_audit_report_drill_down_carries_the_segment_text_of_each_finding(tmp_path, batch, stub):
    out = tmp_path / "r.html"
    res = audit(str(batch / "top.837"), "-o", str(out), "--no-ledger", "-q")
    assert res.exit_code == 0
    html = out.read_text()
    # MADE-UP-HIGH points at CLM02 of each claim over 100.00: the CLM segment is shown
    assert '<pre class="segment">CLM*MADE-UP-1*150***11:B:1*Y*A*Y*Y</pre>' in html
