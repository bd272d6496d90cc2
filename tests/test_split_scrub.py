"""`claimscrub scrub --clean-out --held-out --ledger` wires the split writer and the ledger.

Reads through the real X12 reader and the standard rule packs.
"""
from __future__ import annotations

from click.testing import CliRunner
from test_split import MADE_UP_837P
from x12_testkit import content, envelope_problems, raw_claims

from scrubber.cli import cli
from scrubber.ledger import Ledger


def test_scrub_writes_clean_and_held_files_and_records_the_run(tmp_path, monkeypatch):
    src = tmp_path / "in.837"
    src.write_text(MADE_UP_837P)
    clean, held, ledger = tmp_path / "clean.837", tmp_path / "held.837", tmp_path / "l.sqlite3"
    res = CliRunner().invoke(cli, ["scrub", str(src), "--clean-out", str(clean), "--held-out", str(held),
                                   "--ledger", str(ledger), "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"clean: 3 claims written to {clean}" in res.stderr
    assert envelope_problems(clean.read_text()) == [] and envelope_problems(held.read_text()) == []
    assert [content(r) for r in raw_claims(clean.read_text())] == [content(r) for r in raw_claims(MADE_UP_837P)]
    with Ledger(str(ledger)) as db:
        (run,) = db.runs()
        assert (run.kind, run.claims_total) == ("scrub", 3)
