import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/rulegen.py, tests/datadir.py
import datadir  # noqa: E402

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
    cases = tmp_path_factory.mktemp("rule-cases")
    shutil.copyfile(d / DB_NAME, cases / DB_NAME)  # rule cases' store: this one plus the samples
    datadir.register_template(d / DB_NAME, cases)
    return d / DB_NAME


@pytest.fixture(scope="module")
def builtin_refdata(tmp_path_factory):
    """Reference data of a fresh data directory: the built-in ICD-10-CM edition alone (the tests
    that read it compare memoised answers with the look-ups, on real codes of that edition)."""
    from datetime import date

    from scrubber.refdata import open_refdata

    rd = open_refdata(str(tmp_path_factory.mktemp("refdata")))
    rd.icd10cm_edition(date(2025, 1, 1))  # builds the edition's store once, before the first test
    yield rd
    rd.close()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch, _builtin_store_template):
    """Never touch the user's real data directory or ledger from a test; it starts with the
    built-in ICD-10-CM edition already in place (a copy, so a test's imports stay its own) and
    the session's rule-case store as its rule-cases/ (tests/datadir.py says why).
    It sits beside the test's tmp_path, not in it: tests check what their tmp_path holds."""
    data = datadir.isolated(tmp_path_factory.mktemp("claimscrub-data"))
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(data))




@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory):
    """The address of one LocalCluster (two worker processes on 127.0.0.1) for the session's Dask audits
    (``audit run --dask ADDRESS``); a test using it carries ``DASK_GROUP`` so that pytest-xdist runs
    every such test on the worker that started it.

    Why: each ``--dask local`` run starts and stops a cluster of its own, seconds of CPU each time.
    The cluster is made by ``client_for("local", 2)``, the code ``--dask local`` runs, so that path
    stays under test. Workers keep only a set-up cache keyed by the run's settings (``dask_run._SETUP``);
    each task starts its own batch state, and the test's data directory travels in the settings. The
    workers start with a data directory of their own, never the user's.
    """
    pytest.importorskip("distributed")
    from scrubber.dask_run import client_for

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMSCRUB_DATA_DIR", str(tmp_path_factory.mktemp("dask-workers-data")))
        client, cluster = client_for("local", 2)
    client.close()
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


DASK_GROUP = pytest.mark.xdist_group("dask-cluster")


CHROMIUM = os.environ.get("CLAIMSCRUB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium driven by Playwright, launched once per session (per xdist worker).

    Why one: each launch costs about a second, and the browser tests open their own page or
    context per test, so nothing a test does stays in the browser for the next. The only thread
    Playwright adds to this process is asyncio's ``waitpid`` watcher, which holds no lock, so the
    playground's sandbox may still fork after the launch.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium binary at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the [test] extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Modules whose tests run for tens of seconds each (worker processes, Dask clusters, the pure-Python
# reader over every corpus file, a wheel build): collected first, so that pytest-xdist hands them out
# at the start. Why: in collection order (by file name) test_reader_compiled and the Dask tests came
# in the last third, and one of them still running at the end left the other workers idle.
# Only the order changes: every test still runs, and each module keeps its own order.
SLOW_FIRST = ("test_jobs.py", "test_reader_compiled.py", "test_denials_jobs.py", "test_dask_split.py",
              "test_dask_run.py", "test_ledger_faults.py", "test_batch_state.py", "test_cms_wheel_rule_cases.py",
              "test_fuzz.py", "test_interrupt.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {name: k for k, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keeps its order
