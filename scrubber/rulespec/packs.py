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
from typing import Iterable, Optional

from scrubber.rulespec.model import Rule
from scrubber.rulespec.parse import parse_rule, schema_problems  # noqa: F401
from scrubber.fields.registry import ensure_loaded
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


def _pack_dirs(root: Path, problems: list[str]) -> list[tuple[str, Path]]:
    """(pack id, folder) for each pack in a rule directory.

    A directory holding both rule files and pack folders is refused, file by file: read as one
    pack it would silently drop every pack folder (a rule copied into ``rules/`` would leave a
    scrub with that one rule), read as a rule directory it would drop the files.
    """
    if root.name == VALUESET_DIR:
        return []
    rule_files = [p for p in _yaml_files(root) if p.name != PACK_META]
    if rule_files and not _is_rule_dir(root):
        return [(root.name, root)]
    for path in rule_files:
        problems.append(f"{path}: outside any pack: it lies in the rule directory {root} beside the pack "
                        f"folders; move it into one of them ({root}/<pack>/{path.name})")
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


@dataclass
class _PackSource:
    """One pack to load: its id, folder, and the rule files of it to load (all of them, or the ones named)."""

    pack_id: str
    folder: Path
    files: list[Path]


def _is_rule_dir(d: Path) -> bool:
    """A rule directory: it holds pack folders (a sub-folder other than ``valuesets/`` with YAML
    files in it), like the standard ``rules/``. A pack folder with its own ``valuesets/`` is not one."""
    if not d.is_dir():
        return False
    return any(sub.is_dir() and sub.name != VALUESET_DIR and not sub.name.startswith(".") and _yaml_files(sub)
               for sub in d.iterdir())


def _file_source(path: Path, problems: list[str]) -> tuple[list[Path], Optional[_PackSource]]:
    """Value-set folders and the pack one rule file belongs to: its folder is the pack, and the rule
    directory above it (when there is one) supplies the value sets, as when the whole directory loads.

    A file outside any pack (not YAML, a ``pack.yaml``, a value set, or a file lying in a rule
    directory beside its pack folders) is a problem naming where rule files go.
    """
    where = "rule files live in a pack folder: <rule dir>/<pack>/<RULE-ID>.yaml"
    if path.suffix not in (".yaml", ".yml"):
        problems.append(f"{path}: not a rule file (a rule is a .yaml file); {where}")
        return [], None
    if path.name == PACK_META:
        problems.append(f"{path}: {PACK_META} describes a pack, it holds no rule; give its folder {path.parent} instead")
        return [], None
    folder = path.parent
    if folder.name == VALUESET_DIR:
        problems.append(f"{path}: a value set, not a rule; value sets load with the rule directory "
                        f"{folder.parent} (give that directory, or a rule file that uses the set)")
        return [], None
    if _is_rule_dir(folder):
        problems.append(f"{path}: outside any pack: it lies in the rule directory {folder} beside the pack "
                        f"folders; move it into one of them ({folder}/<pack>/{path.name})")
        return [], None
    vs_dirs = _valueset_dirs(folder)
    if _is_rule_dir(folder.parent):
        vs_dirs += _valueset_dirs(folder.parent)
        for other in sorted(folder.parent.iterdir()):  # the id check a whole-directory load makes
            twin = other / path.name
            if other.is_dir() and other.resolve() != folder.resolve() and twin.is_file():
                problems.append(f"{path}: duplicate rule id '{path.stem}': already defined in {twin}; "
                                "rule ids are never reused or overridden, pick a new id")
    return vs_dirs, _PackSource(folder.name, folder, [path])


def _sources(paths: list[Path], problems: list[str]) -> tuple[list[Path], list[_PackSource]]:
    """Value-set folders and packs to load from ``paths`` (rule directories, pack folders or rule files).

    Rule files of one pack given together load as that pack; a folder reached twice is read once.
    """
    vs_dirs: list[Path] = []
    sources: list[_PackSource] = []
    by_folder: dict[Path, _PackSource] = {}
    rule_file_folders = {p.parent.resolve() for p in paths if p.is_file() and p.name != PACK_META}
    for root in paths:
        if root.is_file() and root.name == PACK_META and root.parent.resolve() in rule_file_folders:
            continue  # `rules lint rules/ncci/*.yaml`: the pack's own metadata rides along with its rules
        if root.is_file():
            more, src = _file_source(root, problems)
            vs_dirs += more
            if src is None:
                continue
            known = by_folder.get(src.folder.resolve())
            if known is not None:
                if root not in known.files:
                    known.files.append(root)
                continue
            by_folder[src.folder.resolve()] = src
            sources.append(src)
            continue
        if not root.is_dir():
            problems.append(f"{root}: not a directory of rule packs or a rule file")
            continue
        vs_dirs += _valueset_dirs(root)
        packs_here = _pack_dirs(root, problems)
        if packs_here == [(root.name, root)] and _is_rule_dir(root.parent):
            vs_dirs += _valueset_dirs(root.parent)  # one pack folder of a rule directory: its value sets too
        for pack_id, pdir in packs_here:
            files = [p for p in _yaml_files(pdir) if p.name != PACK_META]
            known = by_folder.get(pdir.resolve())
            if known is not None:  # one of its files was named first: the whole pack loads once
                known.files = files
                continue
            by_folder[pdir.resolve()] = src = _PackSource(pack_id, pdir, files)
            sources.append(src)
    unique: dict[Path, Path] = {}
    for d in vs_dirs:
        unique.setdefault(d.resolve(), d)
    return list(unique.values()), sources


def load_packs(dirs: Iterable[Path], fallback_valuesets: Iterable[Path] = ()) -> RulePacks:
    """Load every pack under ``dirs`` (built-ins first, then users'); raise RuleLoadError listing every problem.

    An entry may also be one rule file (``rules/coding/COD-DX-001.yaml``): it loads as a pack of
    that one rule, named after its folder, with the value sets of the rule directory it sits in,
    so a rule author can lint or test the file being edited without the rest of the packs.
    ``fallback_valuesets``: value-set folders whose sets serve only the names ``dirs`` do not
    define (`rules lint MY-DIR` sees the standard sets); a set of ``dirs`` that reuses a fallback set's name
    with other content is a clash, as in a scrub; an unchanged copy (byte for byte) is not, in
    either (two definitions of one set with other content are always a clash).
    """
    ensure_loaded()
    problems: list[str] = []
    out = RulePacks()
    vs_origin: dict[str, str] = {}
    vs_dirs, sources = _sources([Path(d) for d in dirs], problems)
    own = {d.resolve() for d in vs_dirs}
    fallback = [Path(d) for d in fallback_valuesets if Path(d).resolve() not in own]
    for vdir, is_fallback in [(d, False) for d in vs_dirs] + [(d, True) for d in fallback]:
        for path in _yaml_files(vdir):
            vs = _load_valueset(path, problems)
            if vs is None:
                continue
            if vs.name in out.valuesets:
                same = Path(vs_origin[vs.name]).read_bytes() == path.read_bytes()
                if not is_fallback:
                    # an unchanged copy (a user's rule folder that carries the standard sets it uses)
                    # defines nothing new: the same in a scrub as in lint
                    if not same:
                        problems.append(f"{path}:{vs.line}: value set '{vs.name}' is already defined in "
                                        f"{vs_origin[vs.name]}; rename one of them")
                elif not same:
                    # a different set under a standard name: a scrub, where the standard sets load beside
                    # these, stops on it, so lint must not pass it (an unchanged copy shadows nothing)
                    problems.append(f"{vs_origin[vs.name]}:{out.valuesets[vs.name].line}: value set '{vs.name}' is "
                                    f"already defined in {path} (a standard value set); rename one of them")
                continue
            out.valuesets[vs.name] = vs
            vs_origin[vs.name] = str(path)
    seen_ids: dict[str, str] = {}
    seen_packs: set[str] = set()
    for src in sources:
        digest = hashlib.sha256()  # over the pack's files in name order (pack.yaml included), as always
        version = "0"
        chosen = {p.resolve() for p in src.files}
        for path in _yaml_files(src.folder):
            if path.name != PACK_META and path.resolve() not in chosen:
                continue
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
            rule, errs = parse_rule(data, str(path), src.pack_id, out.valuesets, hashlib.sha256(raw).hexdigest())
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
        if src.pack_id in seen_packs:
            problems.append(f"{src.folder}: a pack named '{src.pack_id}' is already loaded; rename the folder")
        seen_packs.add(src.pack_id)
        out.packs.append(PackInfo(src.pack_id, str(src.folder), version, digest.hexdigest()))
    if problems:
        raise RuleLoadError(problems)
    return out
