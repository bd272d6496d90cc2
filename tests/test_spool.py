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


def _every_kind_of_claim(k: int) -> ClaimResult:
    """A made-up claim: by ``k``, findings of each severity, flagged with or without a charge, unreadable."""
    from decimal import Decimal

    sev = ("error", "warning", "info")[k % 3]
    findings = tuple(Finding(rule_id=f"MADE-UP-{sev.upper()}-{j}", severity=sev, category="balance", message=f"made-up {k}")
                     for j in range(k % 4))
    if k % 7 == 0:
        return ClaimResult(claim_id=f"MADE-UP-U{k}", source_path="made-up.837", source_segment=k, status="unreadable",
                           findings=findings, error="made-up unreadable claim")
    return ClaimResult(claim_id=f"MADE-UP-{k}", source_path="made-up.837", source_segment=k,
                       status=ClaimResult.status_for(findings), total_charge=None if k % 5 == 0 else Decimal(f"{k}.{k % 100:02d}"),
                       findings=findings)


def test_the_summary_kept_as_results_arrive_is_the_summary_counted_after_the_run():
    import pickle

    from scrubber.model.result import ClaimTotals

    claims = [_every_kind_of_claim(k) for k in range(2_345)]
    counted = RunResult(tool_version="0", run=RunInfo(started="x"), claims=list(claims),
                        errors=[RunError("structure", "made-up")]).summary()
    kept = RunResult(tool_version="0", run=RunInfo(started="x"))
    for a in range(0, len(claims), 100):  # half appended one by one, half as a worker's blocks
        block = claims[a:a + 100]
        if a % 200:
            totals = ClaimTotals()
            for c in block:
                totals.add(c)
            kept.claims.append_block(pickle.dumps(block, protocol=pickle.HIGHEST_PROTOCOL), len(block),
                                     pickle.loads(pickle.dumps(totals)))
        else:
            kept.claims.extend(block)
    assert kept.claims.totals is not None and kept.summary() == counted
    assert list(kept.claims) == claims  # the blocks were spooled in order
    assert counted["claims_unreadable"] and counted["claims_flagged"] and counted["claims_clean"]
    assert all(counted["findings_by_severity"][s] for s in ("error", "warning", "info")) and counted["charges_at_risk"]
    kept.claims.append_block(pickle.dumps(claims[:1]), 1)  # a block without totals: counted again when asked
    assert kept.claims.totals is None and kept.summary()["claims_total"] == len(claims) + 1


def test_results_pickle_back_equal():
    import pickle

    for c in (_every_kind_of_claim(k) for k in range(30)):
        assert pickle.loads(pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL)) == c
    e = RunError("structure", "made-up", "made-up.837", 4)
    assert pickle.loads(pickle.dumps(e)) == e


@pytest.mark.parametrize("n", [0, 1, 2_500])
def test_json_kept_as_results_arrive_is_the_json_rendered_after_the_run(n):
    from scrubber.report.json_report import claim_text

    plain = made_up_result(n)
    kept = RunResult(tool_version=plain.tool_version, run=plain.run, errors=plain.errors)
    kept.claims.keep_json(claim_text)
    kept.claims.extend(plain.claims)
    assert kept.claims.json_chunks(claim_text) is not None
    a, b = io.StringIO(), io.StringIO()
    render(plain, "json", a)
    render(kept, "json", b)
    assert a.getvalue() == b.getvalue()
    redacted = io.StringIO()
    render(kept, "json", redacted, redact=True)  # a redacted copy renders its own (masked) results
    assert json.loads(redacted.getvalue())["summary"] == json.loads(a.getvalue())["summary"]


@pytest.mark.parametrize("kinds", [range(1, 7), [3, 6], [2, 5, 8], [4, 8], [1, 2, 3, 14]])
def test_the_exit_code_from_the_kept_totals_is_the_exit_code_from_reading_every_claim(kinds):
    """--fail-on decides from the counts kept as results arrived (no second read of the spool): the same
    code as the claim-by-claim answer, for every threshold, on made-up batches with and without errors,
    warnings, infos and unreadable claims."""
    from scrubber.cli.scrub_cmd import exit_code_for

    claims = [_every_kind_of_claim(k) for k in kinds]
    kept = RunResult(tool_version="0", run=RunInfo(started="x"))
    kept.claims.extend(claims)
    assert kept.claims.totals is not None
    read = RunResult(tool_version="0", run=RunInfo(started="x"), claims=list(claims))
    assert getattr(read.claims, "totals", None) is None  # a plain list: the claims are read one by one
    codes = {f: exit_code_for(kept, f) for f in ("info", "warning", "error", "never")}
    assert codes == {f: exit_code_for(read, f) for f in codes}
    assert codes["never"] == 0


def test_a_claims_json_text_with_its_envelope_is_json_dumps_text():
    """claim_text writes a transaction's envelope once and reuses it: every claim's text is still what
    json.dumps(indent=2) writes for it, whichever envelope (or none) it has, in any order."""
    from scrubber.model.envelope import X12Envelope
    from scrubber.report.json_report import CLAIM_SEP, claim_text

    envelopes = [None, X12Envelope(), X12Envelope(interchange_control="000000001", sender_id="MADE\"UP ü", st_segment=3),
                 X12Envelope(interchange_control="000000002", transaction_control="0002", st_segment=40)]
    plain = made_up_result(12)
    for k, c in enumerate(plain.claims):
        c = ClaimResult(**{**{f: getattr(c, f) for f in c.__dataclass_fields__}, "envelope": envelopes[k % 4]})
        nested = json.dumps([c.to_dict()], indent=2, ensure_ascii=False).replace("\n", "\n  ")
        assert claim_text(c) == CLAIM_SEP + nested[len("[\n    "):-len("\n  ]")], k
