"""The playground's JSON API: the same answers as `rules lint` / `rules test` / `scrub`, and no
input that stops the server (broken YAML, a huge paste, a claim that does not parse, a slow or
crashing check, paths outside the served directory)."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request

import pytest
from playground_fixtures import isolated_sandbox, Running, make_rules_dir

from scrubber.playground.sandbox import Sandbox

MADE_UP_837 = open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "claims", "professional.837")).read()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    root = make_rules_dir(tmp_path_factory.mktemp("served"))
    r = Running(root, isolated_sandbox(tmp_path_factory))
    yield r
    r.close()


def call(running, path, body=None, raw=None, ctype="application/json", headers=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(running.url.rstrip("/") + path, data=data,
                                 headers={**({"Content-Type": ctype} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def rule_text(running):
    return (running.server.root / "mine" / "MINE-001.yaml").read_text()


def test_the_server_listens_on_loopback_only(running):
    assert running.server.server_address[0] == "127.0.0.1"


def test_check_runs_lint_and_every_case_of_the_edited_text(running):
    status, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": rule_text(running)})
    assert status == 200 and data["problems"] == []
    assert [(c["expect"], c["ok"]) for c in data["cases"]] == [("fire", True), ("pass", True)]
    broken = rule_text(running).replace("op: gt, value: 99", "op: gt, value: 100")  # 100 units no longer fires
    _, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": broken})
    fire = data["cases"][0]
    assert not fire["ok"] and fire["detail"] == "expected the rule to fire; it did not"
    assert fire["line"] == rule_text(running).splitlines().index("  - name: a made-up line with 100 units fires") + 1


def test_a_lint_problem_carries_the_line_of_the_edited_file(running):
    text = rule_text(running).replace("field: units", "field: unitz")
    _, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": text})
    (p,) = data["problems"]
    assert p["kind"] == "error" and "unitz" in p["message"]
    assert p["line"] == text.splitlines().index("    - {fact: line, field: unitz, op: gt, value: 99}") + 1
    assert data["cases"] == []  # a rule that does not load runs no case


def test_broken_yaml_is_a_located_error(running):
    _, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": "id: [MINE-001\ntitle: x\n"})
    (p,) = data["problems"]
    assert p["line"] == 2 and "YAML error" in p["message"]


def test_a_new_rule_is_checked_before_it_is_saved(running):
    text = rule_text(running).replace("id: MINE-001", "id: MINE-009")
    _, data = call(running, "/api/check", {"path": "mine/MINE-009.yaml", "text": text})
    assert data["problems"] == [] and all(c["ok"] for c in data["cases"])
    assert not (running.server.root / "mine" / "MINE-009.yaml").exists()


def test_the_claim_is_scrubbed_with_the_edited_rule_and_findings_carry_the_x12_location(running):
    claim = MADE_UP_837.replace("SV1*HC:97110*60.00*UN*1***1~", "SV1*HC:97110*60.00*UN*150***1~")
    _, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": rule_text(running), "claim": claim})
    found = [(c["claim_id"], f["rule_id"], f["location"]["path"]) for c in data["claim"]["result"]["claims"] for f in c["findings"]]
    assert len(found) == 1 and found[0][1] == "MINE-001" and found[0][2].endswith("/SV104")
    assert data["claim"]["result"]["run"]["inputs"][0]["path"] == "pasted-claim.837"  # no temporary path leaks


def test_a_claim_that_does_not_parse_is_a_located_error(running):
    _, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": rule_text(running), "claim": '{"claim_id": 1, bad'})
    (err,) = data["claim"]["result"]["errors"]
    assert err["kind"] == "unreadable-file" and "line 1 column" in err["message"]


def test_a_huge_paste_is_refused_with_a_clear_error_and_the_server_goes_on(running):
    status, data = call(running, "/api/check", raw=b"x" * (4 * 1024 * 1024))
    assert status == 413 and "at most" in data["error"]
    status, data = call(running, "/api/check", {"path": "mine/MINE-001.yaml", "text": "a" * 300_000})
    assert "at most" in data["problems"][0]["message"]
    assert call(running, "/api/state")[0] == 200


def test_a_request_from_another_site_or_host_name_is_refused(running):
    """DNS rebinding (Host: evil.example) and another site's page (Origin) cannot read or save."""
    assert call(running, "/api/state", headers={"Host": "evil.example"})[0] == 403
    status, data = call(running, "/api/save", {"path": "mine/MINE-007.yaml", "text": "id: MINE-007\n"},
                        headers={"Origin": "http://evil.example"})
    assert status == 403 and "served itself" in data["error"]
    assert not (running.server.root / "mine" / "MINE-007.yaml").exists()
    assert call(running, "/api/state", headers={"Host": running.url.split("//")[1].rstrip("/").replace("127.0.0.1", "localhost")})[0] == 200


def test_a_post_that_is_not_json_is_refused(running):
    assert call(running, "/api/save", raw=b"path=x", ctype="application/x-www-form-urlencoded")[0] == 415
    assert call(running, "/api/save", raw=b"{not json")[0] == 400


@pytest.mark.parametrize("path", ["../escape.yaml", "/tmp/escape.yaml", "mine/../../escape.yaml"])
def test_save_outside_the_served_directory_is_refused(running, path):
    status, data = call(running, "/api/save", {"path": path, "text": "id: X\n"})
    assert status == 403 and "inside" in data["error"] or "'..'" in data["error"]
    assert not (running.server.root.parent / "escape.yaml").exists()


def test_save_through_a_symlink_is_refused(running, tmp_path):
    os.symlink(tmp_path, running.server.root / "linkpack")
    try:
        status, data = call(running, "/api/save", {"path": "linkpack/MINE-002.yaml", "text": "id: MINE-002\n"})
        assert status == 403 and "symbolic link" in data["error"]
        assert list(tmp_path.iterdir()) == []
    finally:
        os.unlink(running.server.root / "linkpack")


def test_save_writes_the_file(running):
    text = rule_text(running).replace("id: MINE-001", "id: MINE-003")
    status, data = call(running, "/api/save", {"path": "mine/MINE-003.yaml", "text": text})
    assert status == 200 and data["saved"] == "mine/MINE-003.yaml"
    assert (running.server.root / "mine" / "MINE-003.yaml").read_text() == text
    assert "mine/MINE-003.yaml" in call(running, "/api/state")[1]["rules"]


def _slow_check(**job):
    time.sleep(30)


def _crashing_check(**job):
    os.kill(os.getpid(), signal.SIGSEGV)


@pytest.mark.parametrize("fake, expected", [(_slow_check, "took longer than 1 s"), (_crashing_check, "crashed")])
def test_a_slow_or_crashing_check_costs_one_answer_not_the_server(monkeypatch, fake, expected):
    import scrubber.playground.check as check_mod

    monkeypatch.setattr(check_mod, "check", fake)  # the zygote forks with this in place
    box = Sandbox(limit=1.0)
    try:
        answer = box.run(root="/nonexistent", rel="x.yaml", text="", claim="")
        assert not answer["ok"] and expected in answer["error"]
        answer = box.run(root="/nonexistent", rel="x.yaml", text="", claim="")
        assert expected in answer["error"]  # the helper still answers
    finally:
        box.close()


def test_rules_serve_prints_its_loopback_url_and_serves_the_directory(tmp_path):
    import re
    import subprocess
    import sys

    root = make_rules_dir(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", "rules", "serve", "--port", "0", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "api/state", timeout=30) as res:
            state = json.loads(res.read())
        assert state["rules"] == ["mine/MINE-001.yaml"] and state["packs"] == ["mine"]
        with urllib.request.urlopen(m.group(1), timeout=30) as res:
            page = res.read().decode()
        assert "<textarea id=\"rule-text\"" in page and "http" not in page.replace("http-equiv", "")  # no CDN
    finally:
        proc.terminate()
        proc.wait(timeout=10)
