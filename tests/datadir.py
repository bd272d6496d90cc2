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


def register_template(path: Path) -> None:
    """Called by conftest's session fixture with the built store file."""
    global _TEMPLATE
    _TEMPLATE = path


def seeded(path: Path) -> Path:
    """``path`` (created) holding the session's built-in ICD-10-CM store; returns ``path``."""
    if _TEMPLATE is None:
        raise RuntimeError("conftest's _builtin_store_template has not run")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    target = path / _TEMPLATE.name
    if not target.exists():
        shutil.copyfile(_TEMPLATE, target)
    return path
