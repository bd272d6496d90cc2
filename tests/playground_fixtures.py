"""A served rule directory and a running playground, shared by the playground tests.

The rule ``MINE-001`` is made up (the playground's own template: more than 99 units on a line);
its claims are made up too. The directory also carries the standard value sets, as a user's
copy of ``rules/`` would.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from datadir import isolated

from scrubber.playground.sandbox import Sandbox
from scrubber.playground.server import STATIC, PlaygroundServer

REPO = Path(__file__).resolve().parent.parent


def make_rules_dir(base: Path) -> Path:
    root = base / "rules"
    (root / "mine").mkdir(parents=True)
    shutil.copytree(REPO / "rules" / "valuesets", root / "valuesets")
    template = (STATIC / "template.yaml").read_text(encoding="utf-8")
    (root / "mine" / "MINE-001.yaml").write_text(template.replace("id: RULE-ID", "id: MINE-001"), encoding="utf-8")
    return root


def isolated_sandbox(tmp_path_factory, **kw) -> Sandbox:
    """A Sandbox whose zygote reads a test data directory, never the user's.

    Why: module-scoped fixtures run before the per-test data directory is set, and the zygote
    keeps the environment it was forked with; it had built ``rule-cases/`` in the user's XDG one.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMSCRUB_DATA_DIR", str(isolated(tmp_path_factory.mktemp("playground-data"))))
        return Sandbox(**kw)


class Running:
    """A PlaygroundServer with its sandbox on a free port of 127.0.0.1, in a thread."""

    def __init__(self, root: Path, sandbox):
        self.sandbox = sandbox
        self.server = PlaygroundServer(root, 0, sandbox)
        self.url = self.server.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.sandbox.close()
