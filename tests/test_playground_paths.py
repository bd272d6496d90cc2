"""Save and open stay inside the served rule directory: '..', absolute paths and links are refused."""
from __future__ import annotations

import os

import pytest

from scrubber.playground.paths import PathRefused, rule_path


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "rules"
    (r / "mine").mkdir(parents=True)
    (r / "mine" / "MINE-001.yaml").write_text("id: MINE-001\n")
    return r


def test_a_rule_file_in_a_pack_is_accepted(root):
    assert rule_path(root, "mine/MINE-001.yaml") == (root / "mine" / "MINE-001.yaml").resolve()
    assert rule_path(root, "mine/NEW-002.yaml").name == "NEW-002.yaml"  # a new file may be written


@pytest.mark.parametrize("rel, why", [
    ("../outside.yaml", "'..'"),
    ("mine/../../outside.yaml", "'..'"),
    ("/etc/passwd.yaml", "absolute"),
    ("~/x.yaml", "absolute"),
    ("mine/MINE-001.py", "not a rule file"),
    ("mine/pack.yaml", "not a rule file"),
    ("valuesets/x.yaml", "not a rule file"),
    ("a/b/c.yaml", "not a rule file name"),
    ("mine\\..\\x.yaml", "<pack>/<RULE-ID>.yaml"),
    ("", "<pack>/<RULE-ID>.yaml"),
])
def test_paths_leaving_the_directory_or_not_naming_a_rule_file_are_refused(root, rel, why):
    with pytest.raises(PathRefused, match=why.replace("(", r"\(").replace(".", r"\.")):
        rule_path(root, rel)


def test_a_symlinked_pack_folder_or_file_is_refused(root, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "X-001.yaml").write_text("id: X-001\n")
    os.symlink(outside, root / "linked")
    os.symlink(outside / "X-001.yaml", root / "mine" / "X-001.yaml")
    with pytest.raises(PathRefused, match="symbolic link"):
        rule_path(root, "linked/X-001.yaml")
    with pytest.raises(PathRefused, match="symbolic link"):
        rule_path(root, "mine/X-001.yaml")
