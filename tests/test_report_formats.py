"""Every format rendered from the same fixture runs, checked against reviewed snapshots.

Set UPDATE_SNAPSHOTS=1 to rewrite the files under tests/snapshots/ after a deliberate change,
then review the diff like code.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from report_fixtures import FIXTURES, XSS_NAME, mixed_result

from scrubber.report import FORMATS, render

SNAPSHOTS = Path(__file__).parent / "snapshots"
EXT = {"text": "txt", "json": "json", "csv": "csv", "junit": "xml", "html": "html"}


def rendered(result, fmt: str, **opts) -> str:
    out = io.StringIO()
    render(result, fmt, out, **opts)
    return out.getvalue()


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_matches_snapshot(fmt, fixture):
    text = rendered(FIXTURES[fixture](), fmt)
    path = SNAPSHOTS / f"{fixture}.{EXT[fmt]}"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_bytes().decode("utf-8")


def test_json_format_honours_the_shared_contract_checker(tmp_path):
    from conftest import CHECKER

    if not CHECKER.exists():
        pytest.skip("../shared/tools/check_run_result.py is absent (a user's own clone); CI has it")
    for name, make in FIXTURES.items():
        path = tmp_path / f"{name}.json"
        path.write_text(rendered(make(), "json"))
        proc = subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_csv_has_one_row_per_finding_plus_unreadable_claims_and_run_errors():
    result = mixed_result()
    rows = list(csv.DictReader(io.StringIO(rendered(result, "csv"))))
    findings = sum(len(c.findings) for c in result.claims)
    assert [r["record"] for r in rows].count("finding") == findings
    assert [r["record"] for r in rows].count("unreadable") == 1
    assert [r["record"] for r in rows].count("run-error") == len(result.errors)


def test_csv_cells_that_would_run_as_formulas_are_neutralised():
    rows = list(csv.DictReader(io.StringIO(rendered(mixed_result(), "csv"))))
    cells = [v for r in rows for v in r.values()]
    assert not [v for v in cells if v[:1] in ("=", "+", "@") or (v[:1] == "-" and not v[1:].replace(".", "").isdigit())]
    eligibility = next(r for r in rows if r["rule_id"] == "MADE-UP-ELIG-003")
    assert eligibility["message"].startswith("'=HYPERLINK(")
    assert eligibility["suggestion"] == "'+verify the member id"
    assert eligibility["rule_source"] == "'@made-up policy"


def test_csv_keeps_negative_amounts_as_numbers():
    from scrubber.report.csv_report import neutralise

    assert neutralise("-12.50") == "-12.50"
    assert neutralise("-1+1") == "'-1+1"
    assert neutralise("\t=1") == "'\t=1"


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_text_uses_colour_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = io.StringIO()
    render(mixed_result(), "text", plain)
    assert "\x1b[" not in plain.getvalue()
    tty = FakeTerminal()
    render(mixed_result(), "text", tty)
    assert "\x1b[31m" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = FakeTerminal()
    render(mixed_result(), "text", tty)
    assert "\x1b[" not in tty.getvalue()


def test_text_shows_location_and_fix_for_every_finding():
    text = rendered(mixed_result(), "text")
    assert "2300/CLM02 (segment 14): claim total 150.00" in text
    assert "fix: correct CLM02 or the SV102 line charges" in text
    assert "charges at risk 1,384.50 of 1,559.50" in text


def test_junit_is_one_case_per_claim_and_fails_flagged_claims():
    root = etree.fromstring(rendered(mixed_result(), "junit").encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    cases = root.findall(".//testcase")
    by_name = {c.get("name"): c for c in cases}
    assert set(by_name) == {"MADE-UP-1", "MADE-UP-2", "MADE-UP-3", "MADE-UP-4", "MADE-UP-5", "run errors"}
    assert by_name["MADE-UP-1"].find("failure") is not None
    assert by_name["MADE-UP-3"].find("failure") is None and by_name["MADE-UP-3"].find("system-out") is not None
    assert by_name["MADE-UP-5"].find("error") is not None
    assert root.get("tests") == "6" and root.get("failures") == "2" and root.get("errors") == "2"


def test_junit_fail_on_warning_also_fails_warning_claims():
    result = mixed_result()
    root = etree.fromstring(rendered(result, "junit", fail_on="info").encode())
    assert root.get("failures") == "3"


def test_html_escapes_claim_strings_by_construction():
    html = rendered(mixed_result(), "html")
    assert XSS_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # only the report's own script


def test_renderers_survive_control_characters_in_claim_data():
    import dataclasses

    result = mixed_result()
    result.claims[0] = dataclasses.replace(result.claims[0], claim_id="MADE-UP-\x00\x0c", patient_name="A\x01B")
    for fmt in FORMATS:
        assert rendered(result, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_redact_masks_names_member_ids_and_birth_dates_in_every_format(fmt):
    result = mixed_result()
    text = rendered(result, fmt, redact=True)
    for c in result.claims:
        for secret in (c.patient_name, c.member_id, c.birth_date, (c.birth_date or "").replace("-", "")):
            if secret:
                assert secret not in text, (fmt, secret)
    assert "JANE" not in text and "DOE" not in text
    assert "MADE-UP-1" in text  # claim ids are not PHI and stay


def test_json_output_is_the_contract():
    d = json.loads(rendered(mixed_result(), "json"))
    assert d["summary"]["claims_total"] == 5


def test_html_lists_claims_needing_attention_first_when_the_table_is_capped(monkeypatch):
    import scrubber.report.html_digest as html_digest

    monkeypatch.setattr(html_digest, "MAX_TABLE_ROWS", 3)
    listed, omitted = html_digest.HtmlDigest.of(mixed_result().claims).listed()
    assert [c.claim_id for _, c in listed] == ["MADE-UP-1", "MADE-UP-2", "MADE-UP-5"] and omitted == 2
    monkeypatch.setattr(html_digest, "MAX_TABLE_ROWS", 4)
    listed, omitted = html_digest.HtmlDigest.of(mixed_result().claims).listed()
    assert [c.claim_id for _, c in listed] == ["MADE-UP-1", "MADE-UP-2", "MADE-UP-3", "MADE-UP-5"] and omitted == 1
    assert "1 more claim is counted above but not listed" in rendered(mixed_result(), "html")


def test_text_never_passes_terminal_control_characters_from_claim_data():
    import dataclasses

    result = mixed_result()
    result.claims[0] = dataclasses.replace(result.claims[0], patient_name="EVIL\x1b[2J\x1b]0;title\x07NAME")
    text = rendered(result, "text", color=False)
    assert "\x1b" not in text and "\x07" not in text
    assert "EVIL\ufffd[2J" in text


def test_html_states_the_audit_filters_and_how_many_claims_they_left_out():
    result = mixed_result()
    result.run.extra.update({"filters": {"since": "2026-10-01", "until": None, "payer_ids": ["MADEUP01"],
                                         "provider_npis": []}, "claims_excluded_by_filters": 1200})
    html = rendered(result, "html")
    assert "Filters: since 2026-10-01; payer ids MADEUP01 (1,200 claims outside them not counted)" in html
