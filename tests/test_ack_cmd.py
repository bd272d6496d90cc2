"""`scrub --ack-999 --ack-277ca` and `claimscrub ack RESULT.json`: files, re-runs, saved results."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from click.testing import CliRunner

from ack_pyx12 import segments, validate
from conftest import CHECKER, ROOT
from scrubber.cli import cli

FIXTURES = ROOT / "fixtures" / "claims"
# The acknowledgement's own dates and control numbers: the only things a re-run may change.
_OWN = {"ISA": (9, 10, 13), "IEA": (2,), "GS": (4, 5, 6), "GE": (2,), "BHT": (4, 5), "STC": (2,)}


def own_fields_blanked(text: str) -> list[list[str]]:
    out = []
    for s in segments(text):
        s = list(s)
        for i in _OWN.get(s[0], ()):
            if i < len(s):
                s[i] = ""
        if s[0] == "DTP" and s[1] in ("050", "009"):
            s[3] = ""
        out.append(s)
    return out


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_scrub_writes_both_acks_and_reruns_agree(tmp_path):
    outs = []
    for n in (1, 2):
        d = tmp_path / f"run{n}"
        d.mkdir()
        r = run("scrub", str(FIXTURES), "--no-ledger", "--format", "json", "-o", str(d / "r.json"),
                "--clean-out", str(d / "clean.837"), "--held-out", str(d / "held.837"),
                "--ack-999", str(d / "a.999"), "--ack-277ca", str(d / "a.277"))
        assert r.exit_code == 1
        for name in ("a.999", "a.277"):
            assert validate(d / name) == []
        outs.append(d)
    for name in ("a.999", "a.277"):
        assert own_fields_blanked((outs[0] / name).read_text()) == own_fields_blanked((outs[1] / name).read_text())
    # the 999 and the 277CA of one run share no control number
    isa = [s[13] for name in ("a.999", "a.277") for s in segments((outs[0] / name).read_text()) if s[0] == "ISA"]
    assert len(isa) == len(set(isa)) == 4
    if CHECKER.exists():
        proc = subprocess.run([sys.executable, str(CHECKER), str(outs[0] / "r.json")], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ack_from_saved_result(tmp_path):
    r = run("scrub", str(FIXTURES), "--no-ledger", "--format", "json", "-o", str(tmp_path / "r.json"),
            "--ack-999", str(tmp_path / "s.999"), "--ack-277ca", str(tmp_path / "s.277"))
    assert r.exit_code == 1
    data = json.loads((tmp_path / "r.json").read_text())
    env = next(c["envelope"] for c in data["claims"] if c["claim_id"] == "MADE-UP-PRO-001")
    assert (env["interchange_control"], env["group_control"], env["transaction_control"], env["st_segment"]) == ("000000501", "501", "0001", 3)
    assert all("envelope" not in c for c in data["claims"] if c["claim_id"].startswith("MADE-UP-JSON"))
    args = ("ack", str(tmp_path / "r.json"), "--999", str(tmp_path / "j.999"), "--277ca", str(tmp_path / "j.277"),
            "--date", "2026-01-02T03:04", "--first-control", "42")
    assert run(*args).exit_code == 0
    first = (tmp_path / "j.999").read_text(), (tmp_path / "j.277").read_text()
    assert run(*args).exit_code == 0
    assert ((tmp_path / "j.999").read_text(), (tmp_path / "j.277").read_text()) == first  # byte for byte
    assert segments(first[0])[0][13] == "000000042"
    for ext in ("999", "277"):  # from the saved result = from the run itself, apart from own numbers and dates
        assert own_fields_blanked((tmp_path / f"j.{ext}").read_text()) == own_fields_blanked((tmp_path / f"s.{ext}").read_text())


def test_ack_needs_the_837_for_a_277ca(tmp_path):
    shutil.copy(FIXTURES / "professional.837", tmp_path / "batch.837")
    r = run("scrub", str(tmp_path / "batch.837"), "--no-ledger", "--format", "json", "-o", str(tmp_path / "r.json"))
    assert r.exit_code == 1
    (tmp_path / "batch.837").write_text((FIXTURES / "institutional.837").read_text())  # changed since the scrub
    r = run("ack", str(tmp_path / "r.json"), "--277ca", str(tmp_path / "x.277"))
    assert r.exit_code == 2 and "changed since it was scrubbed" in r.output
    assert not (tmp_path / "x.277").exists()
    r = run("ack", str(tmp_path / "r.json"), "--999", str(tmp_path / "x.999"))
    assert r.exit_code == 0 and validate(tmp_path / "x.999") == []
    assert run("ack", str(tmp_path / "r.json")).exit_code == 2
    (tmp_path / "bad.json").write_text("{}")
    assert run("ack", str(tmp_path / "bad.json"), "--999", str(tmp_path / "y.999")).exit_code == 2
