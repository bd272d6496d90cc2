"""Rule packs on disk -> RulePacks. Fail closed: any problem in any file stops the load.

Layout: a rule directory holds pack folders (``rules/integrity/INT-NPI-001.yaml``) and a
``valuesets/`` folder; a directory whose YAML files sit directly in it is one pack named
after the directory (how a user's ``--rules DIR`` usually looks). An optional
``pack.yaml`` in a pack folder gives ``version:``; the pack's sha256 covers every file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from scrubber.rulespec.model import Rule
from scrubber.rulespec.parse import parse_rule, schema_problems  # noqa: F401
from scrubber.rulespec.registry import ensure_loaded
from scrubber.rulespec.valuesets import ValueSet
from scrubber.rulespec.yamlload import LineDict, LineList, YamlProblem, load_yaml_file

VALUESET_DIR = "valuesets"
PACK_META = "pack.yaml"


class RuleLoadError(Exception):
    """Rule files that do not load; ``problems`` lists every one as ``file:line: ...``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class PackInfo:
    id: str
    path: str
    version: str
    sha256: str


@dataclass
class RulePacks:
    rules: list[Rule] = field(default_factory=list)
    valuesets: dict[str, ValueSet] = field(default_factory=dict)
    packs: list[PackInfo] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for p in self.packs:
            h.update(f"{p.id}\0{p.sha256}\0".encode())
        return h.hexdigest()

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def default_rule_dirs() -> list[Path]:
    """The standard packs: ``rules/`` beside the ``scrubber`` package (source checkout, ``pip install -e .``)."""
    import scrubber

    here = Path(scrubber.__file__).resolve().parent
    for candidate in (here.parent / "rules", here / "data" / "rules"):
        if candidate.is_dir():
            return [candidate]
    return []


def _yaml_files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def _pack_dirs(root: Path) -> list[tuple[str, Path]]:
    """(pack id, folder) for each pack in a rule directory."""
    if root.name == VALUESET_DIR:
        return []
    rule_files = [p for p in _yaml_files(root) if p.name != PACK_META]
    if rule_files:
        return [(root.name, root)]
    return [(d.name, d) for d in sorted(root.iterdir()) if d.is_dir() and d.name != VALUESET_DIR and not d.name.startswith(".")]


def _valueset_dirs(root: Path) -> list[Path]:
    if root.name == VALUESET_DIR:
        return [root]
    d = root / VALUESET_DIR
    return [d] if d.is_dir() else []


def _load_valueset(path: Path, problems: list[str]) -> ValueSet | None:
    try:
        data = load_yaml_file(path)
    except YamlProblem as exc:
        problems.append(str(exc))
        return None
    if not isinstance(data, LineDict) or not isinstance(data.get("id"), str):
        problems.append(f"{path}:1: a value set file is a mapping with id:, title:, source: and codes: (a list)")
        return None
    unknown = set(data) - {"id", "title", "source", "codes", "description"}
    for k in sorted(unknown):
        problems.append(f"{path}:{data.line_of(k)}: unknown key '{k}' in a value set; allowed: id, title, source, codes")
    codes = data.get("codes")
    if not isinstance(codes, LineList) or not codes:
        problems.append(f"{path}:{data.line_of('codes')}: codes: must be a non-empty list of quoted codes, ranges ('80047-80081') or prefixes ('E11.*')")
        return None
    vs, bad = ValueSet.from_entries(data["id"], list(codes), title=str(data.get("title", "")),
                                    source=str(data.get("source", "")), path=str(path), line=data.line)
    for i, msg in bad:
        problems.append(f"{path}:{codes.item_lines[i]}: {msg}")
    if data["id"] != path.stem:
        problems.append(f"{path}:{data.line_of('id')}: value set id '{data['id']}' must match the file name '{path.stem}'")
    return vs


def load_packs(dirs: Iterable[Path]) -> RulePacks:
    """Load every pack under ``dirs`` (built-ins first, then users'); raise RuleLoadError listing every problem."""
    ensure_loaded()
    dirs = [Path(d) for d in dirs]
    problems: list[str] = []
    out = RulePacks()
    vs_origin: dict[str, str] = {}
    for root in dirs:
        if not root.is_dir():
            problems.append(f"{root}:0: not a directory of rule packs")
            continue
        for vdir in _valueset_dirs(root):
            for path in _yaml_files(vdir):
                vs = _load_valueset(path, problems)
                if vs is None:
                    continue
                if vs.name in out.valuesets:
                    problems.append(f"{path}:{vs.line}: value set '{vs.name}' is already defined in {vs_origin[vs.name]}; "
                                    "rename one of them")
                    continue
                out.valuesets[vs.name] = vs
                vs_origin[vs.name] = str(path)
    seen_ids: dict[str, str] = {}
    seen_packs: set[str] = set()
    for root in dirs:
        if not root.is_dir():
            continue
        for pack_id, pdir in _pack_dirs(root):
            digest = hashlib.sha256()
            version = "0"
            for path in _yaml_files(pdir):
                raw = path.read_bytes()
                digest.update(path.name.encode() + b"\0" + raw + b"\0")
                if path.name == PACK_META:
                    try:
                        meta = load_yaml_file(path)
                        version = str(meta.get("version", "0")) if isinstance(meta, dict) else "0"
                    except YamlProblem as exc:
                        problems.append(str(exc))
                    continue
                try:
                    data = load_yaml_file(path)
                except YamlProblem as exc:
                    problems.append(str(exc))
                    continue
                rule, errs = parse_rule(data, str(path), pack_id, out.valuesets, hashlib.sha256(raw).hexdigest())
                problems.extend(errs)
                if rule is None:
                    continue
                if rule.id != path.stem:
                    problems.append(f"{path}:{data.line_of('id')}: id '{rule.id}' must match the file name "
                                    f"'{path.stem}' (rules/<pack>/<RULE-ID>.yaml)")
                if rule.id in seen_ids:
                    problems.append(f"{path}:{data.line_of('id')}: duplicate rule id '{rule.id}': already defined in "
                                    f"{seen_ids[rule.id]}; rule ids are never reused or overridden, pick a new id")
                    continue
                seen_ids[rule.id] = str(path)
                out.rules.append(rule)
            if pack_id in seen_packs:
                problems.append(f"{pdir}:0: a pack named '{pack_id}' is already loaded; rename the folder")
            seen_packs.add(pack_id)
            out.packs.append(PackInfo(pack_id, str(pdir), version, digest.hexdigest()))
    if problems:
        raise RuleLoadError(problems)
    return out
