"""Claim results past a memory limit go to a temporary file; every output stays the same."""
import io
import json

import pytest
from click.testing import CliRunner

from conftest import ROOT
from scrubber.model import ClaimResult, Finding, RunError, RunInfo, RunResult
from scrubber.model import spool as spool_mod
from scrubber.model.spool import ClaimSpool
from scrubber.report import FORMATS, render

SAMPLES = str(ROOT / "fixtures" / "claims")


def made_up_result(n: int, memory_limit=None) -> RunResult:
    """A made-up run of ``n`` claims, every third flagged, with a run error."""
    claims = ClaimSpool(memory_limit=memory_limit)
    for k in range(n):
        findings = ()
        if k % 3 == 0:
            findings = (Finding(rule_id="MADE-UP-001", severity="error", category="balance",
                                message=f"made-up finding {k} with \"quotes\", a tab\tand ü",
                                suggestion="made-up fix", source="made up", line=1,
                                location_path="2400[1]/SV102", location_segment=10 + k),)
        claims.append(ClaimResult(claim_id=f"MADE-UP-{k:05d}", source_path="made-up.837", source_segment=5 + k,
                                  status="flagged" if findings else "clean", payer="MADE-UP PLAN",
                                  findings=findings, patient_name=f"PAT {k}", member_id=f"M{k}"))
    return RunResult(tool_version="0", run=RunInfo(started="2026-01-01T00:00:00+00:00", payer_profile=None,
                                                    inputs=[{"path": "made-up.837", "sha256": None}]),
                     claims=claims, errors=[RunError("structure", "made-up run error", "made-up.837", 3)])


def test_a_spool_past_its_limit_keeps_every_result_in_order_on_disk():
    spool = ClaimSpool(range(5_500), memory_limit=1_200)
    assert spool.spilled >= 4_000 and len(spool) == 5_500
    assert list(spool) == list(range(5_500))
    assert list(spool) == list(range(5_500))  # iterable again
    assert spool[0] == 0 and spool[4_321] == 4_321 and spool[-1] == 5_499
    spool.append(5_500)
    assert len(spool) == 5_501 and list(spool)[-2:] == [5_499, 5_500]
    with pytest.raises(IndexError):
        spool[5_501]
    small = ClaimSpool(range(10))
    assert small.spilled == 0 and small == list(range(10)) and bool(small) and not ClaimSpool()


@pytest.mark.parametrize("n", [0, 1, 7])
def test_the_json_writer_streams_the_same_bytes_as_json_dump(n):
    result = made_up_result(n)
    streamed = io.StringIO()
    render(result, "json", streamed)
    whole = io.StringIO()
    json.dump(result.to_dict(), whole, indent=2, ensure_ascii=False)
    whole.write("\n")
    assert streamed.getvalue() == whole.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_the_same_whether_results_were_spilled_or_not(fmt):
    in_memory, spilled = made_up_result(2_500, memory_limit=10_000), made_up_result(2_500, memory_limit=1_000)
    assert in_memory.claims.spilled == 0 and spilled.claims.spilled > 0
    for redact in (False, True):
        a, b = io.StringIO(), io.StringIO()
        render(in_memory, fmt, a, redact=redact, title="made-up")
        render(spilled, fmt, b, redact=redact, title="made-up")
        assert a.getvalue() == b.getvalue(), (fmt, redact)


def test_a_scrub_that_spills_gives_the_same_json_as_one_that_does_not(monkeypatch, tmp_path):
    from scrubber.cli import cli

    def scrub_json():
        r = CliRunner().invoke(cli, ["scrub", SAMPLES, "--format", "json", "--no-ledger"])
        assert r.exit_code == 1, r.output
        out = json.loads(r.stdout)
        out["run"].pop("started")
        return out

    monkeypatch.setattr(spool_mod, "MEMORY_LIMIT", 10_000)  # everything in memory
    kept = scrub_json()
    monkeypatch.setattr(spool_mod, "MEMORY_LIMIT", 0)  # the default: spilled from the first block
    monkeypatch.setattr(spool_mod, "BLOCK", 2)
    spilled = scrub_json()
    assert spilled == kept and kept["summary"]["claims_total"] == len(kept["claims"]) > 2


def test_by_default_a_batch_past_one_block_is_on_disk_not_in_memory():
    """Results are spooled from the first block: memory holds at most one block, whatever the batch."""
    result = made_up_result(3 * spool_mod.BLOCK + 7)
    assert result.claims.spilled == 3 * spool_mod.BLOCK and len(result.claims._tail) == 7
    assert [c.claim_id for c in result.claims][-1] == f"MADE-UP-{3 * spool_mod.BLOCK + 6:05d}"
