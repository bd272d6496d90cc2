"""The compiled X12 reader (Cython, built at install by setup.py) gives exactly the pure-Python reader's records.

Both readers run in child interpreters over the same inputs, the pure one with
CLAIMSCRUB_PURE_READER=1; every record is dumped with its values, locations (``locs`` of
every object), findings, errors and RawClaim segments, and the dumps must be identical.
Inputs: the bundled fixtures, every file of the shared corpus (broken ones included),
generated 837P and 837I batches, and made-up mutations of a fixture (deleted, duplicated
and truncated segments, garbage bytes) so the error paths are compared too.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

HERE = Path(__file__).resolve().parent
REQUIRE_ENV = "CLAIMSCRUB_REQUIRE_COMPILED_READER"


def _no_compiled_build(why: str) -> None:
    """Skip where no compiled build is installed (a user's machine without a C compiler); fail in CI,
    which sets CLAIMSCRUB_REQUIRE_COMPILED_READER=1, so a build that silently fell back cannot hide."""
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{why} ({REQUIRE_ENV} is set)")
    pytest.skip(why)


def _locs(obj) -> dict:
    locs = getattr(obj, "locs", None)
    return {k: (v.path, v.segment) for k, v in locs.items()} if locs else {}


def _all_locs(obj, out: list) -> None:
    """The locs of ``obj`` and of every model object inside it, in a fixed order."""
    if dataclasses.is_dataclass(obj):
        out.append((type(obj).__name__, _locs(obj), sorted(_locs(obj))))
        for f in dataclasses.fields(obj):
            if f.name not in ("locs", "raw"):
                _all_locs(getattr(obj, f.name), out)
    elif isinstance(obj, tuple):
        for v in obj:
            _all_locs(v, out)


def record_dump(rec) -> str:
    """One record as a line of text: everything a user or a later stage can see of it."""
    from scrubber.model import ClaimRecord
    from scrubber.model.serialize import to_dict

    if not isinstance(rec, ClaimRecord):
        return json.dumps({"run_error": repr(rec)})
    claim = rec.claim
    locs: list = []
    if claim is not None:
        _all_locs(claim, locs)
    return json.dumps({
        "claim_id": rec.claim_id, "source": repr(rec.source), "error": repr(rec.error),
        "findings": [repr(f) for f in rec.findings],
        "claim": to_dict(claim) if claim is not None else None,
        "repr": repr(claim),  # types: Decimal('1.50') vs '1.5', dates
        "locs": locs,
        "raw": repr(claim.raw) if claim is not None else None,
    }, sort_keys=True, default=str)


def dump_files(paths: list[str], out: str) -> None:
    """Child entry point: every record of every file, one line each, into ``out``."""
    from scrubber.readers import iter_records
    from scrubber.readers.x12 import implementation

    with open(out, "w") as f:
        f.write(implementation() + "\n")
        for p in paths:
            f.write(f"== {p}\n")
            for rec in iter_records([p]):
                f.write(record_dump(rec) + "\n")


_CHILD = "import sys; sys.path.insert(0, {tests!r}); from test_reader_compiled import dump_files; dump_files({paths!r}, {out!r})"


def _run_child(paths: list[str], out: Path, pure: bool) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMSCRUB_PURE_READER"}
    if pure:
        env["CLAIMSCRUB_PURE_READER"] = "1"
    code = _CHILD.format(tests=str(HERE), paths=paths, out=str(out))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=str(ROOT), timeout=600)
    return out.read_text().splitlines()


def _mutations(data: bytes, count: int, seed: int) -> list[bytes]:
    """Made-up broken variants of a valid interchange (deleted, duplicated, truncated segments, garbage)."""
    rng = random.Random(seed)
    segs = data.split(b"~")
    out = []
    for _ in range(count):
        s = list(segs)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(s))
            op = rng.choice(("delete", "duplicate", "truncate", "garbage", "swap"))
            if op == "delete":
                del s[i]
            elif op == "duplicate":
                s.insert(i, s[i])
            elif op == "truncate":
                s[i] = s[i][: rng.randrange(len(s[i]) + 1)]
            elif op == "garbage":
                s[i] = s[i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
            elif i + 1 < len(s):
                s[i], s[i + 1] = s[i + 1], s[i]
        out.append(b"~".join(s))
    return out


def _inputs(tmp_path: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    import gen_837

    files = sorted(str(p) for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".837", ".x12"))
    if CORPUS.is_dir():
        files += sorted(str(p) for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".json" and p.name != "README.md")
    for kind in ("837P", "837I"):
        p = tmp_path / f"gen-{kind}.837"
        p.write_bytes(gen_837.generate(400, seed=5, kind=kind, claims_per_transaction=150))
        files.append(str(p))
    base = (ROOT / "fixtures" / "x12" / "837i-inpatient.837").read_bytes() + (ROOT / "fixtures" / "x12" / "837p-two-claims.837").read_bytes()
    for i, data in enumerate(_mutations(base, 150, seed=2026)):
        p = tmp_path / f"mutant-{i:03d}.837"
        p.write_bytes(data)
        files.append(str(p))
    return files


def test_compiled_and_pure_reader_give_identical_records(tmp_path):
    from scrubber.readers.x12 import COMPILED

    if not COMPILED:
        _no_compiled_build("no up-to-date compiled reader here (setup.py fell back to pure Python, or the build is older "
                    "than the sources): nothing to compare")
    files = _inputs(tmp_path)
    compiled = _run_child(files, tmp_path / "compiled.txt", pure=False)
    pure = _run_child(files, tmp_path / "pure.txt", pure=True)
    assert compiled[0] == "X12 reader: compiled (Cython)"
    assert pure[0].startswith("X12 reader: pure Python")
    assert len(compiled) == len(pure)
    assert sum(1 for line in compiled if line.startswith('{"claim"')) > 1000  # the comparison really saw claims
    for a, b in zip(compiled[1:], pure[1:]):
        assert a == b


def test_pure_reader_switch_imports_the_python_sources():
    code = ("import sys, scrubber.readers.x12 as x; "
            "print(x.COMPILED, all(sys.modules['scrubber.readers.x12.' + n].__file__.endswith('.py') for n in x.HOT_MODULES))")
    env = dict(os.environ, CLAIMSCRUB_PURE_READER="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=str(ROOT)).stdout
    assert out.split() == ["False", "True"]


def test_version_says_which_reader_is_in_use():
    from scrubber.readers.x12 import COMPILED

    out = subprocess.run([sys.executable, "-m", "scrubber", "--version"], capture_output=True, text=True, check=True, cwd=str(ROOT)).stdout
    line = out.splitlines()[1]
    assert line == "X12 reader: compiled (Cython)" if COMPILED else line.startswith("X12 reader: pure Python (")


def test_a_compiled_build_older_than_its_source_is_not_used(tmp_path):
    """Editing a reader module after `pip install -e .` must not leave the old compiled code running."""
    import shutil

    from scrubber.readers import x12

    if not x12.COMPILED:
        _no_compiled_build("no up-to-date compiled reader here: nothing can be stale")
    package = tmp_path / "scrubber"
    shutil.copytree(ROOT / "scrubber", package, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    source = package / "readers" / "x12" / "claim.py"
    later = time.time() + 60  # edited after the build
    os.utime(source, (later, later))
    code = "import scrubber.readers.x12 as x; print(x.COMPILED); print(x.implementation())"
    run = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True, text=True, check=True, cwd=str(tmp_path))
    assert run.stdout.splitlines() == ["False", "X12 reader: pure Python (the compiled build is older than claim.py)"]
    assert "the compiled build is older than claim.py; using the pure-Python X12 reader" in run.stderr


def test_a_partly_compiled_build_is_set_aside_and_claims_still_read(tmp_path):
    """One module that failed to compile must not leave the others running against its pure twin
    (they share C-level types): the pure reader is used, and claims read as always."""
    import shutil

    from scrubber.readers import x12

    if not x12.COMPILED:
        _no_compiled_build("no up-to-date compiled reader here: nothing to take apart")
    package = tmp_path / "scrubber"
    shutil.copytree(ROOT / "scrubber", package, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    for built in (package / "readers" / "x12").glob("claim_parts.*.so"):
        built.unlink()
    fixture = ROOT / "fixtures" / "x12" / "837p-two-claims.837"
    code = ("import scrubber.readers.x12 as x; from scrubber.readers import iter_records; print(x.implementation()); "
            f"print([r.claim_id for r in iter_records([{str(fixture)!r}]) if r.claim is not None])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=str(tmp_path))
    assert run.stdout.splitlines() == ["X12 reader: pure Python (the compiled build is incomplete: claim_parts did not compile)",
                                       "['MADE-UP-P1', 'MADE-UP-P2']"]


def test_setup_compiles_exactly_the_hot_modules():
    """setup.py's COMPILED_MODULES and the package's HOT_MODULES must name the same modules: a module
    compiled but not listed would never be checked for staleness, one listed but not compiled would
    make every install "incomplete" and fall back to the pure reader."""
    import ast

    from scrubber.readers.x12 import HOT_MODULES

    tree = ast.parse((ROOT / "setup.py").read_text())
    (compiled,) = [ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == "COMPILED_MODULES" for t in node.targets)]
    assert sorted(compiled) == sorted(HOT_MODULES)
    assert all((ROOT / "scrubber" / "readers" / "x12" / f"{name}.py").is_file() for name in HOT_MODULES)
