import os
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


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Never touch the user's real data directory or ledger from a test."""
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(tmp_path / "claimscrub-data"))

import sys as _sys

_sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/rulegen.py for the engine tests
