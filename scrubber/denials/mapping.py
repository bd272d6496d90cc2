"""The editable map from finding categories (and single rules) to the CARC / RARC families
they would have prevented: ``scrubber/data/denials/carc_map.yaml``, or a user's copy.

Read with the project's safe, line-keeping YAML loader; a wrong key or value is a
``file:line: ...`` problem (the CLI exits 2), never a silently empty family.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Optional

from scrubber.config.yamlload import line_at, load_yaml, plain
from scrubber.model.result import CATEGORIES

DEFAULT_MAP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "denials", "carc_map.yaml")
KEYS = {"version", "not_denials", "categories", "rules", "remarks"}


class MappingError(ValueError):
    """The map file cannot be used; ``problems`` are ``file:line: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DenialMap:
    path: str
    sha256: str
    not_denials: frozenset[str]
    categories: dict[str, tuple[str, ...]]  # in file order
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    remarks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category -> RARCs

    def family(self, rule_id: str, category: Optional[str]) -> frozenset[str]:
        """CARCs and RARCs a finding of this rule would have prevented (a rule entry wins over its category)."""
        if rule_id in self.rules:
            return frozenset(self.rules[rule_id])
        return frozenset(self.categories.get(category or "", ())) | frozenset(self.remarks.get(category or "", ()))

    def category_of(self, carc: str, remarks: tuple[str, ...] = ()) -> Optional[str]:
        """The first category listing this CARC (file order), else the first listing one of the remarks."""
        for name, codes in self.categories.items():
            if carc in codes:
                return name
        for name, codes in self.remarks.items():
            if any(r in codes for r in remarks):
                return name
        return None

    def describe(self) -> dict:
        """Where the map came from: the packaged one is named as such (not by its install path)."""
        packaged = os.path.abspath(self.path) == os.path.abspath(DEFAULT_MAP)
        return {"path": "packaged:scrubber/data/denials/carc_map.yaml" if packaged else self.path, "sha256": self.sha256}


def _codes(value, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        problems.append(f"{where}: expected a list of codes such as [\"27\", \"31\"]")
        return ()
    return tuple(str(v).strip() for v in value)


def load_map(path: Optional[str] = None) -> DenialMap:
    path = path or DEFAULT_MAP
    data, problems = load_yaml(path)
    if data is None or problems:
        raise MappingError(problems or [f"{path}: empty file"])
    if not isinstance(data, dict):
        raise MappingError([f"{path}:1: expected a mapping with the keys {', '.join(sorted(KEYS))}"])
    for key in data:
        if key not in KEYS:
            problems.append(f"{path}:{line_at(data, [key])}: unknown key '{key}'; the keys are {', '.join(sorted(KEYS))}")
    not_denials = _codes(data.get("not_denials", []), f"{path}:{line_at(data, ['not_denials'])}: not_denials", problems)
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    for section in ("categories", "rules", "remarks"):
        raw = data.get(section) or {}
        if not isinstance(raw, dict):
            problems.append(f"{path}:{line_at(data, [section])}: {section} must map names to lists of codes")
            raw = {}
        out: dict[str, tuple[str, ...]] = {}
        for name, codes in raw.items():
            where = f"{path}:{line_at(data, [section, name])}: {section}.{name}"
            if section in ("categories", "remarks") and name not in CATEGORIES:
                problems.append(f"{where}: '{name}' is not a finding category; use one of {', '.join(CATEGORIES)}")
                continue
            out[str(name)] = _codes(plain(codes), where, problems)
        sections[section] = out
    if problems:
        raise MappingError(problems)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return DenialMap(path, digest, frozenset(not_denials), sections["categories"], sections["rules"], sections["remarks"])
