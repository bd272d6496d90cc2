"""``claimscrub rules test`` from an installed wheel, not the source checkout, passes every case.

Issue 14 item 10: from ``pip install claimscrub`` eleven cases (NCCI PTP / MUE, COD-DX, COD-PROC)
failed because they read ``fixtures/refdata``, which is not package data. This builds a wheel of
this checkout (offline: no build isolation, no dependencies fetched; the pure-Python reader, to
keep it quick), installs it into a fresh venv that borrows this environment's dependencies
through a ``.pth`` line (never the checkout's own ``scrubber``), and runs the command there from
an empty working directory. The wheel is built once per session.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from datadir import seeded

ROOT = Path(__file__).resolve().parent.parent
_SKIP_COPY = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                    "*.so", ".pytest_cache", ".hypothesis")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory) -> Path:
    """A venv holding claimscrub from a wheel of this checkout; dependencies borrowed from this env."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=_SKIP_COPY)  # builds never write into the checkout
    env = {**os.environ, "CLAIMSCRUB_NO_COMPILE": "1", "PIP_NO_INDEX": "1"}
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-w", str(base / "dist"), str(src)], env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = (base / "dist").glob("claimscrub-*.whl")
    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    py = target / "bin" / "python"
    purelib = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # This environment's site-packages, for durable-rules, lxml, click ...: appended after the
    # venv's own site-packages, so the wheel's ``scrubber`` is the one imported.
    (purelib / "_claimscrub_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                 "--no-index", str(wheel)], env=env)
    assert inst.returncode == 0, inst.stdout[-3000:] + inst.stderr[-3000:]
    return target


def test_rules_test_passes_every_case_from_an_installed_wheel(wheel_venv, tmp_path):
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CLAIMSCRUB_DATA_DIR"] = str(seeded(tmp_path / "data"))
    where = _run([str(wheel_venv / "bin" / "python"), "-c", "import scrubber; print(scrubber.__file__)"],
                 cwd=work, env=env)
    assert str(wheel_venv) in where.stdout, f"not the installed copy: {where.stdout} {where.stderr}"
    samples = Path(where.stdout.strip()).parent / "data" / "rule_cases"
    assert not samples.is_symlink() and (samples / "SAMPLE-ccipra-v320r0-f1.txt").is_file()
    assert "MADE UP" in (samples / "SAMPLE-PACKS-ccipra-v320r0-f2.txt").read_text().upper()
    res = _run([str(wheel_venv / "bin" / "claimscrub"), "rules", "test"], cwd=work, env=env)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    tally = re.search(r"(\d+) passed, (\d+) failed", out)
    assert tally and tally.group(2) == "0" and int(tally.group(1)) >= 174, out[-2000:]
