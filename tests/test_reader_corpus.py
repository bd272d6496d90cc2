"""The shared corpus of real X12 files from other projects, read as a conformance suite."""
import importlib.util
import json
import re
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import CHECKER
from scrubber.cli import cli
from scrubber.model import ClaimRecord, RunError
from scrubber.readers import iter_records

BROKEN = ("bad_first_line", "bad_segment_identifier", "bad_valid_code", "missing_elements", "segment_errors",
          "segments_out_of_order", "no_isa_line", "ambiguous_loop", "loop_errors", "missing_required_loop")


def manifest(corpus_dir):
    return json.loads((corpus_dir / "MANIFEST.json").read_text())


def clm_count(data: bytes) -> int:
    """CLM segments, whatever the delimiters: a CLM right after a segment terminator (or at the start)."""
    text = data.decode("utf-8", "replace")
    el = text.lstrip("\ufeff \r\n")[3] if text.lstrip("\ufeff \r\n").startswith("ISA") else "*"
    return len(re.findall(r"(?:^|[~'\n_!])\s*CLM" + re.escape(el), text))


def test_every_005010_837_is_read_with_one_record_per_clm(corpus_dir):
    entries = [e for e in manifest(corpus_dir) if e["st"] == "837" and e["gs08"].startswith("005010")]
    assert len(entries) >= 40
    for e in entries:
        path = corpus_dir / e["file"]
        recs = list(iter_records([str(path)]))
        claims = [r for r in recs if isinstance(r, ClaimRecord)]
        assert len(claims) == clm_count(path.read_bytes()), e["file"]
        assert all(r.claim is not None for r in claims), e["file"]


def test_004010_837s_are_read_or_reported_never_dropped(corpus_dir):
    checked = 0
    for e in manifest(corpus_dir):
        if e["st"] == "837" and e["gs08"].startswith("004010"):
            path = corpus_dir / e["file"]
            claims = [r for r in iter_records([str(path)]) if isinstance(r, ClaimRecord)]
            assert len(claims) == clm_count(path.read_bytes()), e["file"]
            assert claims and all(any(f.rule_id == "X12-VERSION" for f in r.findings) for r in claims), e["file"]
            checked += 1
    assert checked >= 5  # the corpus holds a dozen 004010 837s


def test_broken_files_give_located_errors(corpus_dir):
    names = [p for p in sorted(corpus_dir.iterdir()) if any(b in p.name for b in BROKEN)]
    assert len(names) >= 10
    for path in names:
        recs = list(iter_records([str(path)]))
        findings = [f for r in recs if isinstance(r, ClaimRecord) for f in r.findings]
        errors = [r for r in recs if isinstance(r, RunError)]
        assert findings or errors, path.name
        for f in findings:
            assert f.location_path and f.location_segment, (path.name, f)
        for e in errors:
            assert e.path == str(path) and e.segment is not None, (path.name, e)


@pytest.mark.parametrize("name,rule,segment", [
    ("imsweb-x12-parser__837_5010__x12_bad_segment_identifier.txt", "X12-SEG-UNKNOWN", 6),
    ("imsweb-x12-parser__837_5010__x12_missing_elements.txt", "X12-REQ-ELEM", 7),
    ("imsweb-x12-parser__837_5010__x12_segments_out_of_order.txt", "X12-SEG-ORDER", 12),
    ("imsweb-x12-parser__837_5010__x12_segment_errors.txt", "X12-REQ-SEG", 9),
    ("imsweb-x12-parser__837_5010__x12_bad_valid_code.txt", "X12-SEG-MISPLACED", 9),
])
def test_named_defects_are_found_where_they_are(corpus_dir, name, rule, segment):
    recs = [r for r in iter_records([str(corpus_dir / name)]) if isinstance(r, ClaimRecord)]
    hits = {(f.rule_id, f.location_segment) for r in recs for f in r.findings}
    assert (rule, segment) in hits


def test_file_without_isa_is_read_with_guessed_delimiters(corpus_dir):
    recs = list(iter_records([str(corpus_dir / "imsweb-x12-parser__837_5010__x12_no_isa_line.txt")]))
    assert recs[0].kind == "structure" and recs[0].message.startswith("X12-ISA-MISSING") and recs[0].segment == 1
    assert len([r for r in recs if isinstance(r, ClaimRecord) and r.claim is not None]) == 2


def load_checker():
    spec = importlib.util.spec_from_file_location("check_run_result", CHECKER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.check


def test_cli_scrub_json_on_the_corpus_honours_the_contract(corpus_dir, tmp_path):
    # In this process (click's CliRunner): the test is about the result, not the process start.
    out = tmp_path / "result.json"
    res = CliRunner().invoke(cli, ["scrub", str(corpus_dir), "--format", "json", "-o", str(out)])
    # 3: the corpus directory holds MANIFEST.json, a file that is not claims (an unreadable input)
    assert res.exit_code == 3, res.stderr[-2000:]
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    assert "Traceback" not in res.stderr
    result = json.loads(out.read_text())
    expected = sum(clm_count(p.read_bytes()) for p in corpus_dir.iterdir() if p.name != "MANIFEST.json")
    assert load_checker()(result, expected) == []
    schema = json.loads(resources.files("scrubber").joinpath("schemas/run_result.schema.json").read_text())
    jsonschema.validate(result, schema)
    assert not [e for e in result["errors"] if "internal reader error" in e["message"]]
    kinds = {e["kind"] for e in result["errors"]}
    assert "unsupported" in kinds  # the 835 / 270 / 271 / 277 / 999 files are named, not silently dropped
    assert any(e["kind"] == "unreadable-file" and e["path"].endswith("MANIFEST.json") for e in result["errors"])
