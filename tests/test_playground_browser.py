"""The rule playground in a real headless Chromium (Debian's `chromium`, driven by Playwright).

An author's session: open the page, break the rule so a test case turns red, fix it, paste an
837 and see the finding with its X12 location and the rule's why / source / suggestion, save and
find the file on disk, open a share link in a fresh page, start a new rule from the template.
Throughout: no console error and no request to anything but the playground's 127.0.0.1 address.
Set CLAIMSCRUB_PLAYGROUND_SCREENSHOT=docs/playground.png to refresh the screenshot in docs/.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playground_fixtures import isolated_sandbox, REPO, Running, make_rules_dir


FIRES = "a made-up line with 100 units fires"
MADE_UP_837 = (REPO / "fixtures" / "claims" / "professional.837").read_text()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    root = make_rules_dir(tmp_path_factory.mktemp("served"))
    r = Running(root, isolated_sandbox(tmp_path_factory))  # conftest.browser: why forking beside it is safe
    yield r
    r.close()


class Session:
    """A page with its console problems and every request it made recorded."""

    def __init__(self, browser, url):
        self.page = browser.new_page(viewport={"width": 1366, "height": 860})
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)

    def settled(self):
        """Wait until the check for the current text has come back."""
        from playwright.sync_api import expect

        expect(self.page.locator("#status")).not_to_have_text("checking…", timeout=30_000)
        self.page.wait_for_function("document.body.dataset.checked !== undefined", timeout=30_000)


def expect():
    from playwright.sync_api import expect as e

    return e


def test_an_authors_session(browser, running):
    s = Session(browser, running.url)
    page, ex = s.page, expect()
    rule_file = running.server.root / "mine" / "MINE-001.yaml"
    original = rule_file.read_text()
    ex(page.locator("#rule-path")).to_have_text("mine/MINE-001.yaml", timeout=30_000)
    ex(page.locator("#cases li.pass")).to_have_count(2, timeout=30_000)

    # edit the rule so the must-fire case fails: it turns red; fix it: green again
    page.fill("#rule-text", original.replace("op: gt, value: 99}", "op: gt, value: 100}"))
    ex(page.locator(f'#cases li.fail[data-case="{FIRES}"]')).to_be_visible(timeout=30_000)
    ex(page.locator("#case-summary")).to_have_text("1 passed, 1 failed")
    ex(page.locator("#dirty")).to_be_visible()
    page.fill("#rule-text", original)
    ex(page.locator(f'#cases li.pass[data-case="{FIRES}"]')).to_be_visible(timeout=30_000)

    # a lint problem marks its line in the editor's gutter
    bad_line = original.splitlines().index("    - {fact: line, field: units, op: gt, value: 99}") + 1
    page.fill("#rule-text", original.replace("field: units", "field: unitz"))
    ex(page.locator(f'#gutter span.err[data-line="{bad_line}"]')).to_be_visible(timeout=30_000)
    ex(page.locator("#problems li.error")).to_contain_text("unitz")
    page.click("#problems li.error a.goto")  # jumps to the line
    # the jump is made by the page's click handler: wait for the caret to reach the line (checked at
    # once, it failed under load before the handler ran)
    page.wait_for_function(
        "n => { const t = document.getElementById('rule-text');"
        " return t.value.slice(0, t.selectionStart).split('\\n').length === n; }", arg=bad_line, timeout=30_000)
    page.fill("#rule-text", original)
    ex(page.locator("#gutter span.err")).to_have_count(0, timeout=30_000)

    # paste an 837 with one line of 150 units: the finding, its X12 location, why / source / fix
    page.fill("#claim-text", MADE_UP_837.replace("SV1*HC:97110*60.00*UN*1***1~", "SV1*HC:97110*60.00*UN*150***1~"))
    finding = page.locator('#findings .finding[data-rule="MINE-001"]')
    ex(finding).to_have_count(1, timeout=30_000)
    ex(finding).to_contain_text("with 150 units")
    ex(finding.locator(".loc")).to_contain_text("/SV104 · segment")
    ex(finding).to_contain_text("Why: Say why a claim")
    ex(finding).to_contain_text("Source: Name the guideline")
    ex(finding).to_contain_text("Fix: Say what the biller should change.")

    # an edit, saved with Ctrl+S, is on disk
    edited = original.replace("title: Say in one line what this rule flags", "title: More than 99 units on one line")
    page.fill("#rule-text", edited)
    s.settled()
    page.focus("#rule-text")
    page.keyboard.press("Control+s")
    ex(page.locator("#status")).to_have_text("saved mine/MINE-001.yaml", timeout=30_000)
    assert rule_file.read_text() == edited
    ex(page.locator("#dirty")).to_be_hidden()

    shot = os.environ.get("CLAIMSCRUB_PLAYGROUND_SCREENSHOT")
    page.screenshot(path=shot or str(Path(running.server.root).parent / "playground.png"))

    # a share link opens the same rule text and claim in another page
    page.fill("#rule-text", edited.replace("severity: warning", "severity: error"))
    page.click("#share")
    ex(page.locator("#share-url")).to_have_value(re.compile("#s="), timeout=30_000)
    link = page.input_value("#share-url")
    assert link.startswith(running.url) and "#s=" in link
    other = Session(browser, link)
    ex(other.page.locator("#rule-path")).to_have_text("mine/MINE-001.yaml", timeout=30_000)
    assert other.page.input_value("#rule-text") == edited.replace("severity: warning", "severity: error")
    assert "SV1*HC:97110*60.00*UN*150***1~" in other.page.input_value("#claim-text")
    ex(other.page.locator("#dirty")).to_be_visible()  # differs from the file on disk
    ex(other.page.locator('#findings .finding[data-rule="MINE-001"] .sev-error')).to_have_count(1, timeout=30_000)

    for sess in (s, other):
        assert sess.problems == []
        assert [u for u in sess.requests if not u.startswith(running.url)] == []
        sess.page.close()


def test_a_new_rule_from_the_template_and_a_test_case_as_the_claim(browser, running):
    s = Session(browser, running.url)
    page, ex = s.page, expect()
    ex(page.locator("#cases li.pass")).to_have_count(2, timeout=30_000)
    page.click("#new-rule")
    page.fill("#new-id", "MINE-042")
    page.keyboard.press("Enter")
    ex(page.locator("#rule-path")).to_have_text("mine/MINE-042.yaml")
    ex(page.locator("#cases li.pass")).to_have_count(2, timeout=30_000)
    ex(page.locator("#problems li.pass")).to_be_visible()
    assert not (running.server.root / "mine" / "MINE-042.yaml").exists()
    page.select_option("#claim-pick", label=f"fire: {FIRES}")
    ex(page.locator('#findings .finding[data-rule="MINE-042"]')).to_have_count(1, timeout=30_000)
    page.click("#save")
    ex(page.locator("#status")).to_have_text("saved mine/MINE-042.yaml", timeout=30_000)
    assert (running.server.root / "mine" / "MINE-042.yaml").read_text().startswith("id: MINE-042\n")
    assert s.problems == []
    assert [u for u in s.requests if not u.startswith(running.url)] == []
    page.close()


def test_bad_input_is_an_error_on_the_page_and_the_page_goes_on(browser, running):
    s = Session(browser, running.url)
    page, ex = s.page, expect()
    ex(page.locator("#cases li.pass")).to_have_count(2, timeout=30_000)
    page.fill("#rule-text", "id: [MINE-001\ntitle: x\n")
    ex(page.locator('#gutter span.err[data-line="2"]')).to_be_visible(timeout=30_000)
    ex(page.locator("#problems li.error")).to_contain_text("YAML error")
    page.fill("#rule-text", (running.server.root / "mine" / "MINE-001.yaml").read_text())
    page.fill("#claim-text", '{"claim_id": 1, bad')
    ex(page.locator("#findings .error")).to_contain_text("invalid JSON at line 1 column", timeout=30_000)
    page.evaluate("document.getElementById('claim-text').value = 'ISA'.padEnd(3 * 1024 * 1024, '*')")
    page.dispatch_event("#claim-text", "input")
    ex(page.locator("#error")).to_contain_text("the playground takes at most", timeout=30_000)
    page.fill("#claim-text", "")
    ex(page.locator("#cases li.pass")).to_have_count(2, timeout=30_000)
    page.evaluate("fetch('/api/save', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                  " body: JSON.stringify({path: '../outside.yaml', text: 'x'})}).then(r => r.json()).then(d => { window.refused = d.error; })")
    page.wait_for_function("window.refused !== undefined")
    assert "'..'" in page.evaluate("window.refused")
    assert not (running.server.root.parent / "outside.yaml").exists()
    assert [p for p in s.problems if "403" not in p] == []  # the refused save is the only failed request
    page.close()
