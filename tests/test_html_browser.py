"""The HTML report in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Skips only when no chromium binary exists (CI installs it: .ci/run); Playwright never downloads
a browser here, it drives /usr/bin/chromium.
"""
from __future__ import annotations

import io

from report_fixtures import XSS_NAME, empty_result, mixed_result

from scrubber.report import render



def open_report(browser, result, tmp_path, name="report.html"):
    out = io.StringIO()
    render(result, "html", out)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, dialogs, requests


def visible_claim_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#claims tbody tr.claim", "rows => rows.filter(r => !r.hidden).map(r => r.children[1].textContent)")


def test_report_renders_without_console_errors_and_with_charts(browser, tmp_path):
    page, problems, dialogs, requests = open_report(browser, mixed_result(), tmp_path)
    assert problems == []
    assert requests == []  # nothing fetched: the report is self-contained
    for chart in ("chart-category", "chart-rules", "chart-payer", "chart-risk-payer", "chart-billing"):
        assert page.locator(f"#{chart} svg rect.bar").count() >= 1, chart
    assert page.locator("#summary .card.flagged .n").inner_text() == "2"
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    page.close()


def test_filtering_the_claim_table_shows_only_matching_claims(browser, tmp_path):
    page, problems, _, _ = open_report(browser, mixed_result(), tmp_path)
    assert visible_claim_ids(page) == ["MADE-UP-1", "MADE-UP-2", "MADE-UP-3", "MADE-UP-4", "MADE-UP-5"]
    page.fill("#claim-filter", "made-up-bal")
    assert visible_claim_ids(page) == ["MADE-UP-1"]
    assert page.inner_text("#claims-shown") == "1"
    page.fill("#claim-filter", "")
    page.select_option("#status-filter", "unreadable")
    assert visible_claim_ids(page) == ["MADE-UP-5"]
    page.select_option("#status-filter", "")
    page.click("#claims thead th:nth-child(9)")  # Charge, ascending
    page.click("#claims thead th:nth-child(9)")  # descending
    assert visible_claim_ids(page)[:2] == ["MADE-UP-2", "MADE-UP-1"]
    assert problems == []
    page.close()


def test_drill_down_shows_findings_location_and_segment_text(browser, tmp_path):
    page, problems, _, _ = open_report(browser, mixed_result(), tmp_path)
    detail = page.locator("#claim-detail-0")
    assert detail.is_hidden()
    page.click("#claims tbody tr.claim >> nth=0")
    assert detail.is_visible()
    text = detail.inner_text()
    assert "MADE-UP-BAL-001" in text and "2300/CLM02, segment 14" in text
    assert "CLM*MADE-UP-1*150***11:B:1*Y*A*Y*Y" in text
    page.screenshot(path=str(tmp_path / "drilldown.png"), full_page=True)
    assert problems == []
    page.close()


def test_hostile_patient_name_is_shown_as_text_and_never_runs(browser, tmp_path):
    page, problems, dialogs, _ = open_report(browser, mixed_result(), tmp_path)
    page.fill("#claim-filter", "made-up-2")
    cells = page.eval_on_selector_all("#claims tbody tr.claim", "rows => rows.filter(r => !r.hidden).map(r => r.children[3].textContent)")
    assert cells == [XSS_NAME]
    assert dialogs == []
    assert page.evaluate("document.scripts.length") == 1
    assert problems == []
    page.close()


def test_empty_run_renders_cleanly(browser, tmp_path):
    page, problems, _, _ = open_report(browser, empty_result(), tmp_path, "empty.html")
    assert problems == []
    assert visible_claim_ids(page) == []
    assert page.locator("#summary .card.claims .n").inner_text() == "0"
    page.close()


def test_worst_severity_column_shows_the_most_severe_finding(browser, tmp_path):
    page, _, _, _ = open_report(browser, mixed_result(), tmp_path)
    worst = page.eval_on_selector_all("#claims tbody tr.claim", "rows => rows.map(r => r.children[10].textContent)")
    assert worst == ["error", "error", "info", "", ""]
    page.close()
