"""Data directories for tests that name their own (``--data-dir DIR``, ``CLAIMSCRUB_DATA_DIR``).

Why: the first look-up in an empty data directory parses the packaged ICD-10-CM tabular XML
into it, seconds each time. ``seeded(path)`` makes ``path`` hold a copy of the store that
``conftest.py`` builds once per session, which is the store that first look-up would build, so
the test sees the same data directory, only sooner. A test that is about building the store
from nothing (tests/test_refdata_icd10cm.py, tests/test_refdata_cli.py) does not use it.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

_TEMPLATE: Optional[Path] = None
_RULE_CASES: Optional[Path] = None


def register_template(path: Path, rule_cases: Path) -> None:
    """Called by conftest's session fixture with the built store file and the session's
    rule-case store directory (``<data dir>/rule-cases``, built by the first rule case run)."""
    global _TEMPLATE, _RULE_CASES
    _TEMPLATE, _RULE_CASES = path, rule_cases


def seeded(path: Path) -> Path:
    """``path`` (created) holding the session's built-in ICD-10-CM store; returns ``path``."""
    return _seed(path, rule_cases=False)


def isolated(path: Path) -> Path:
    """``seeded``, and its ``rule-cases/`` is a link to the session's rule-case store.

    Why: rule cases read ``<data dir>/rule-cases`` (built-in ICD-10-CM plus the packaged samples,
    the same in every data directory, never the user's imports); built per test it would cost
    seconds for every test that runs ``rules test``. The link gives each test's data directory
    that same store, built once per session.
    """
    return _seed(path, rule_cases=True)


def _seed(path: Path, rule_cases: bool) -> Path:
    if _TEMPLATE is None:
        raise RuntimeError("conftest's _builtin_store_template has not run")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    target = path / _TEMPLATE.name
    if not target.exists():
        shutil.copyfile(_TEMPLATE, target)
    if rule_cases and _RULE_CASES is not None and not (path / "rule-cases").exists():
        (path / "rule-cases").symlink_to(_RULE_CASES, target_is_directory=True)
    return path
