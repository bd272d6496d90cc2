import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "x12"
CHECKER = ROOT.parent / "shared" / "tools" / "check_run_result.py"


@pytest.fixture
def corpus_dir():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/x12 is absent (a user's own clone); CI has it")
    return CORPUS


@pytest.fixture(scope="session")
def _builtin_store_template(tmp_path_factory):
    """A data directory holding only the built-in ICD-10-CM edition, parsed once per session.

    Why: every test gets a fresh data directory, and the first look-up in one parses the packaged
    tabular XML into it (seconds each); a copy of this one is the same store, already built.
    """
    from scrubber.refdata.icd10cm import ensure_builtin
    from scrubber.refdata.store import DB_NAME, Store

    d = tmp_path_factory.mktemp("builtin-store")
    store = Store(d)
    try:
        ensure_builtin(store)
    finally:
        store.close()
    return d / DB_NAME


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch, _builtin_store_template):
    """Never touch the user's real data directory or ledger from a test; it starts with the
    built-in ICD-10-CM edition already in place (a copy, so a test's imports stay its own).
    It sits beside the test's tmp_path, not in it: tests check what their tmp_path holds."""
    data = tmp_path_factory.mktemp("claimscrub-data")
    shutil.copyfile(_builtin_store_template, data / _builtin_store_template.name)
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(data))

import sys as _sys

_sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/rulegen.py for the engine tests
