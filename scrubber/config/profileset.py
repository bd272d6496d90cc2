"""The loaded set of payer profiles: ``extends`` chains, match tables, and the settings overlay."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence

from scrubber.config.profiles import (
    PACKAGED_PROFILE_DIR,
    ConfigError,
    Profile,
    Valued,
    _norm_name,
    _Raw,
    _read_dir,
)
from scrubber.config.settings import Settings, load_settings
from scrubber.config.yamlload import line_at, plain


def _resolve(raws: dict[str, _Raw], pid: str, problems: list[str]) -> Optional[list[_Raw]]:
    """The chain from ``pid`` up to default, or None (with a problem) on an unknown parent or a cycle."""
    chain = [raws[pid]]
    seen = {pid}
    while chain[-1].id != "default":
        current = chain[-1]
        parent = current.data.get("extends", "default")
        if parent not in raws:
            problems.append(
                f"{current.display}:{current.data.line_of('extends')}: extends '{parent}', which is not a profile; "
                f"known: {', '.join(sorted(raws))}"
            )
            return None
        if parent in seen:
            problems.append(f"{current.display}:{current.data.line_of('extends')}: extends '{parent}' makes a cycle ({' -> '.join(r.id for r in chain)} -> {parent})")
            return None
        seen.add(parent)
        chain.append(raws[parent])
    return chain


def _build(chain: list[_Raw], settings: Optional[Settings]) -> Profile:
    leaf = chain[0]
    prof = Profile(
        id=leaf.id,
        title=leaf.data["title"],
        path=leaf.display,
        chain=tuple(r.id for r in chain),
        example=any(bool(r.data.get("example")) for r in chain),
    )
    for raw in reversed(chain):  # default first, leaf last
        d, name = raw.data, raw.display
        for key, value in (d.get("params") or {}).items():
            prof.params[key] = Valued(plain(value), f"{name}:{line_at(d, ['params', key])}")
            source = (d.get("sources") or {}).get(key)
            if source:
                prof.sources[key] = source
        for kind, target in (("packs", prof.disabled_packs), ("rules", prof.disabled_rules)):
            section = d.get(kind) or {}
            for i, item in enumerate(section.get("disabled") or []):
                target[item] = f"{name}:{line_at(d, [kind, 'disabled', i])}"
            for item in section.get("enabled") or []:
                target.pop(item, None)
        for rule, sev in (d.get("severity") or {}).items():
            prof.severity[rule] = Valued(sev, f"{name}:{line_at(d, ['severity', rule])}")
    for key, value in (leaf.data.get("match") or {}).items():
        prof.match[key] = Valued(plain(value), f"{leaf.display}:{line_at(leaf.data, ['match', key])}")
    if settings is not None:
        _overlay(prof, settings)
    return prof


def _overlay(prof: Profile, settings: Settings) -> None:
    """Apply the project file / environment / command-line payer-wide values on top of the profile."""
    for key, target in (("disable_rules", prof.disabled_rules), ("disable_packs", prof.disabled_packs)):
        v = settings.values[key]
        for item in v.value:
            target[item] = v.origin
    for key, target in (("enable_rules", prof.disabled_rules), ("enable_packs", prof.disabled_packs)):
        for item in settings.values[key].value:
            target.pop(item, None)
    sev = settings.values["severity"]
    for rule, value in sev.value.items():
        prof.severity[rule] = Valued(value, sev.origin)
    for name, v in settings.params.items():
        prof.params[name] = v
        prof.sources.pop(name, None)


class ProfileSet:
    """Every profile by id, and the tables that pick one for a claim."""

    def __init__(self, profiles: dict[str, Profile], raws: dict[str, _Raw]):
        self.profiles = profiles
        self._raws = raws
        self._by_id: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        self._by_sbr09: dict[str, str] = {}
        problems: list[str] = []
        tables = {"payer_ids": self._by_id, "payer_names": self._by_name, "claim_filing_indicators": self._by_sbr09}
        for pid in sorted(profiles):
            raw = raws[pid]
            for key, values in (raw.data.get("match") or {}).items():
                table = tables[key]
                for i, value in enumerate(values):
                    norm = _norm_name(value) if key == "payer_names" else value.strip()
                    if norm in table and table[norm] != pid:
                        problems.append(
                            f"{raw.display}:{line_at(raw.data, ['match', key, i])}: match.{key} '{value}' is also matched by "
                            f"profile '{table[norm]}'; a claim must match one profile"
                        )
                    table[norm] = pid
        if problems:
            raise ConfigError(problems)

    def __contains__(self, pid: str) -> bool:
        return pid in self.profiles

    def __getitem__(self, pid: str) -> Profile:
        return self.profiles[pid]

    def ids(self) -> list[str]:
        return sorted(self.profiles)

    def get(self, pid: str) -> Profile:
        """The profile ``pid``; ConfigError naming the known ones when there is none."""
        if pid not in self.profiles:
            raise ConfigError([f"unknown payer profile '{pid}'; known: {', '.join(self.ids())}"])
        return self.profiles[pid]

    def manifest(self, ids: Optional[Iterable[str]] = None) -> list[dict]:
        """``[{"id", "sha256"}]`` of the profiles used (all when ``ids`` is None), for
        ``RunResult.run.extra["payer_profiles"]`` and the ledger's record of a run."""
        chosen = sorted(set(ids)) if ids is not None else self.ids()
        return [{"id": pid, "sha256": self.profiles[pid].sha256} for pid in chosen if pid in self.profiles]

    def for_claim(self, claim, forced: Optional[str] = None) -> Profile:
        """The profile for ``claim``: ``forced`` if given, else payer id > payer name > SBR09 > default."""
        if forced:
            return self.get(forced)
        payer = getattr(claim, "payer", None)
        if payer is not None and payer.payer_id and payer.payer_id.strip() in self._by_id:
            return self.profiles[self._by_id[payer.payer_id.strip()]]
        if payer is not None and payer.name and _norm_name(payer.name) in self._by_name:
            return self.profiles[self._by_name[_norm_name(payer.name)]]
        sbr09 = getattr(claim, "claim_filing_indicator", None)
        if sbr09 and sbr09.strip() in self._by_sbr09:
            return self.profiles[self._by_sbr09[sbr09.strip()]]
        return self.profiles["default"]

    def check_rules(self, rule_ids: Iterable[str], packs: Iterable[str]) -> None:
        """Raise ConfigError (file:line) for rule ids or packs that profiles name but no pack defines.

        Called once the rule packs are loaded: a payer rule override that silently
        points at nothing is the failure an auditor cannot see.
        """
        known_rules, known_packs = set(rule_ids), set(packs)
        problems: list[str] = []
        for pid in sorted(self._raws):
            raw = self._raws[pid]
            d = raw.data
            for kind, known in (("rules", known_rules), ("packs", known_packs)):
                for state in ("enabled", "disabled"):
                    for i, item in enumerate(((d.get(kind) or {}).get(state)) or []):
                        if item not in known:
                            problems.append(f"{raw.display}:{line_at(d, [kind, state, i])}: {kind}.{state} names '{item}', which is not a known {kind[:-1]}")
            for rule in d.get("severity") or {}:
                if rule not in known_rules:
                    problems.append(f"{raw.display}:{line_at(d, ['severity', rule])}: severity names rule '{rule}', which does not exist")
        if problems:
            raise ConfigError(problems)


def load_profiles(dirs: Optional[Sequence[str]] = None, settings: Optional[Settings] = None) -> ProfileSet:
    """Load, validate and resolve every profile in ``dirs``.

    ``dirs`` defaults to the packaged ``payer_profiles/`` plus the ``profile_dirs``
    setting. ``settings`` defaults to ``load_settings()`` (project file, environment);
    pass one explicitly to include command-line values. A profile id defined in two
    directories is an error. Raises ConfigError with every problem found.
    """
    if settings is None:
        settings = load_settings()
    if dirs is None:
        dirs = [str(PACKAGED_PROFILE_DIR), *settings.get("profile_dirs")]
    problems: list[str] = []
    raws: dict[str, _Raw] = {}
    for directory in dirs:
        path = Path(directory)
        if not path.is_dir():
            problems.append(f"{directory}: payer profile directory does not exist")
            continue
        found, probs = _read_dir(path)
        problems.extend(probs)
        for raw in found:
            if raw.id in raws:
                problems.append(f"{raw.display}:1: profile '{raw.id}' is already defined in {raws[raw.id].display}; profile ids are unique (use extends: {raw.id} with a new id)")
                continue
            raws[raw.id] = raw
    if "default" not in raws and not problems:
        problems.append(f"no 'default' profile in {', '.join(str(d) for d in dirs)}; claims that match no profile need one")
    if problems:
        raise ConfigError(problems)
    profiles: dict[str, Profile] = {}
    for pid in raws:
        chain = _resolve(raws, pid, problems)
        if chain is not None:
            profiles[pid] = _build(chain, settings)
    if problems:
        raise ConfigError(problems)
    return ProfileSet(profiles, raws)


def claim_context(profiles: ProfileSet, claim, *, forced: Optional[str] = None, eligibility=None, filed=None):
    """The whole per-claim context in one call: matching profile, its parameters and derived
    facts, and the coverage fact when an ``EligibilityIndex`` is given (None coverage otherwise)."""
    profile = profiles.for_claim(claim, forced)
    coverage = eligibility.check(claim) if eligibility is not None else None
    return profile.context(coverage=coverage, claim=claim, filed=filed)
