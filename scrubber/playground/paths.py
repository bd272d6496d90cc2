"""Every path the playground reads or writes, kept inside the served rule directory.

A path comes from the page as text relative to the served directory. It is refused when it is
absolute, has a ``..`` part, is not a ``<pack>/<RULE-ID>.yaml`` or ``<RULE-ID>.yaml`` name, or when
any part of it on disk is a symbolic link (a link could point anywhere, and a later swap of the
link would move the write), and finally when the resolved file is not under the resolved root.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PathRefused(ValueError):
    """A path outside the served directory or not a rule file name; ``str()`` says why."""


def rule_path(root: Path, rel: str) -> Path:
    """The real file for ``rel`` under ``root``, or PathRefused."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        raise PathRefused("give the rule file as <pack>/<RULE-ID>.yaml inside the served directory")
    p = PurePosixPath(rel)
    if p.is_absolute() or rel.startswith("~"):
        raise PathRefused(f"{rel}: an absolute path; the playground only writes inside {root}")
    if any(part in ("..", ".") for part in p.parts):
        raise PathRefused(f"{rel}: '..' leaves the served directory; the playground only writes inside {root}")
    if len(p.parts) not in (1, 2) or not all(_NAME.match(part) for part in p.parts):
        raise PathRefused(f"{rel}: not a rule file name; use <pack>/<RULE-ID>.yaml (letters, digits, - _ .)")
    if p.suffix not in (".yaml", ".yml") or p.name == "pack.yaml" or (len(p.parts) == 2 and p.parts[0] == "valuesets"):
        raise PathRefused(f"{rel}: not a rule file; rule files are <pack>/<RULE-ID>.yaml")
    real_root = root.resolve()
    here = real_root
    for part in p.parts:
        here = here / part
        if here.is_symlink():
            raise PathRefused(f"{rel}: {here} is a symbolic link; the playground does not follow links")
    if not here.resolve().is_relative_to(real_root):
        raise PathRefused(f"{rel}: outside the served directory {root}")
    return here


def relative(root: Path, path: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
