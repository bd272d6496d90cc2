"""Payer profiles: loading, ``extends`` resolution, matching claims, and provenance.

A profile (``payer_profiles/<id>.yaml``, schema ``payer_profile.schema.json``)
says which claims it applies to (``match``), which packs and rules run,
severity overrides, and the payer parameters rules read. Resolution:

* Every profile but ``default`` extends ``default`` unless it names another
  parent with ``extends``; the chain is applied from ``default`` down.
* ``params``: a child's parameter replaces the parent's whole value (no deep
  merge: a timely-filing limit is one decision, not two half-inherited ones).
* ``packs`` / ``rules``: ``disabled`` adds to the inherited disabled set,
  ``enabled`` removes from it.
* ``severity``: per rule id, the child's wins.
* ``match`` is not inherited: a profile built on ``medicare`` must not also
  claim every Medicare claim.
* After the profile, the settings layers (project file, environment, command
  line; see ``settings.py``) may disable rules and packs, override severities
  and set parameters for every profile; each value keeps the place it came from.

Matching a claim: a payer id (2010BB NM109) listed by a profile wins over a
payer name (2010BB NM103, compared case-insensitively), which wins over a claim
filing indicator (SBR09); no match means ``default``. Two profiles that list the
same id, name or indicator are a configuration error, so the choice never
depends on file order.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from scrubber.config.schema_errors import schema_problems
from scrubber.config.yamlload import LineDict, line_at, load_yaml
from scrubber.model import ClaimContext

PROFILE_SCHEMA = "payer_profile.schema.json"
def _packaged_profile_dir() -> Path:
    """``payer_profiles/`` beside the package (source checkout, ``pip install -e .``), else the copy
    a wheel carries as ``scrubber/data/payer_profiles`` (a symlink in the source tree)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "payer_profiles", here / "data" / "payer_profiles"):
        if (candidate / "default.yaml").is_file():
            return candidate
    return here.parent / "payer_profiles"


PACKAGED_PROFILE_DIR = _packaged_profile_dir()


class ConfigError(Exception):
    """Configuration that cannot be used; ``problems`` are ``file:line: message`` lines. Exit 2."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Valued:
    """A value and where it came from (``payer_profiles/medicare.yaml:14``, ``environment CLAIMSCRUB_PAYER``)."""

    value: Any
    origin: str


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _norm_name(name: str) -> str:
    return " ".join(name.upper().split())


@dataclass
class Profile:
    """One resolved profile: every effective value with its origin."""

    id: str
    title: str
    path: str
    chain: tuple[str, ...]  # this profile first, then its parents up to default
    example: bool = False
    match: dict[str, Valued] = field(default_factory=dict)
    params: dict[str, Valued] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    disabled_packs: dict[str, str] = field(default_factory=dict)  # pack -> origin
    disabled_rules: dict[str, str] = field(default_factory=dict)
    severity: dict[str, Valued] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Digest of the effective profile, recorded with each run so an audit can show what applied."""
        body = {
            "id": self.id,
            "chain": list(self.chain),
            "params": {k: v.value for k, v in sorted(self.params.items())},
            "disabled_packs": sorted(self.disabled_packs),
            "disabled_rules": sorted(self.disabled_rules),
            "severity": {k: v.value for k, v in sorted(self.severity.items())},
            "match": {k: v.value for k, v in sorted(self.match.items())},
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    def param_values(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.params.items()}

    def context(self, coverage: Optional[dict] = None, claim=None, filed: Optional[date] = None,
                extra_params: Optional[dict] = None) -> ClaimContext:
        """The engine's per-claim view of this profile.

        ``params`` holds the profile's parameters; when ``claim`` is given it also
        holds ``derived.<name>`` keys: the per-claim results of those parameters
        (``payer_params.payer_facts``: ``derived.filed_late``,
        ``derived.days_past_deadline``, ``derived.member_id_valid``,
        ``derived.sex_edits_active``, ``derived.prior_auth_missing``,
        ``derived.referral_missing`` ...), flat scalar keys so a rule tests one
        field (``claim.param.derived.filed_late``) instead of doing date arithmetic.
        ``extra_params`` are added last (a run's ``source.<param>`` citations).
        """
        params: dict[str, Any] = self.param_values()
        if claim is not None:
            from scrubber.fields.payer_params import as_derived_params, payer_facts

            # The one computation of the payer facts in a run: ``fields.payer`` reads these keys.
            params.update(as_derived_params(payer_facts(claim, params, filed)))
        if extra_params:  # keys added after the payer facts are computed (they do not see them)
            params.update(extra_params)
        return ClaimContext(
            profile_id=self.id,
            params=params,
            disabled_rules=frozenset(self.disabled_rules),
            disabled_packs=frozenset(self.disabled_packs),
            severity_overrides={k: v.value for k, v in self.severity.items()},
            coverage=coverage,
        )

    def rule_status(self, rule_id: str, pack: str, default_severity: str) -> tuple[bool, str]:
        """Whether ``rule_id`` runs for this payer, and at what severity (for ``rules list --payer``)."""
        enabled = rule_id not in self.disabled_rules and pack not in self.disabled_packs
        sev = self.severity.get(rule_id)
        return enabled, (sev.value if sev else default_severity)

    def effective(self) -> list[tuple[str, Any, str]]:
        """Every effective value as (key, value, origin), for ``config show``."""
        rows: list[tuple[str, Any, str]] = [("profile.id", self.id, self.path), ("profile.extends", " <- ".join(self.chain), self.path)]
        rows.append(("profile.example", self.example, self.path))
        for key, v in sorted(self.match.items()):
            rows.append((f"match.{key}", v.value, v.origin))
        for pack, origin in sorted(self.disabled_packs.items()):
            rows.append((f"packs.disabled.{pack}", True, origin))
        for rule, origin in sorted(self.disabled_rules.items()):
            rows.append((f"rules.disabled.{rule}", True, origin))
        for rule, v in sorted(self.severity.items()):
            rows.append((f"severity.{rule}", v.value, v.origin))
        for name, v in sorted(self.params.items()):
            origin = v.origin
            if name in self.sources:
                origin += f"  [source: {self.sources[name]}]"
            rows.append((f"params.{name}", v.value, origin))
        return rows


@dataclass
class _Raw:
    id: str
    path: Path
    display: str
    data: LineDict


def _check_profile(raw: _Raw) -> list[str]:
    """Checks the schema cannot express: file name, exactly-one-of, regex, dates, cited sources."""
    data, name = raw.data, raw.display
    problems: list[str] = []
    if data.get("id") != raw.id:
        problems.append(f"{name}:{data.line_of('id')}: id '{data.get('id')}' differs from the file name; write id: {raw.id}")
    params = data.get("params") or {}
    tf = params.get("timely_filing")
    if isinstance(tf, dict) and (("days" in tf) == ("months" in tf)):
        problems.append(f"{name}:{line_at(data, ['params', 'timely_filing'])}: params.timely_filing needs exactly one of days or months")
    pattern = params.get("member_id_pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"{name}:{line_at(data, ['params', 'member_id_pattern'])}: params.member_id_pattern is not a valid regular expression: {exc}")
        else:
            from scrubber.rulespec.regexcheck import backtracking_risk

            risk = backtracking_risk(pattern)
            if risk is not None:
                problems.append(f"{name}:{line_at(data, ['params', 'member_id_pattern'])}: params.member_id_pattern is "
                                f"refused: {risk} on a hostile member id; write it without nested repetition")
    sex = params.get("sex_edits")
    if isinstance(sex, dict) and isinstance(sex.get("until"), str):
        try:
            date.fromisoformat(sex["until"])
        except ValueError:
            problems.append(f"{name}:{line_at(data, ['params', 'sex_edits', 'until'])}: params.sex_edits.until '{sex['until']}' is not a calendar date (YYYY-MM-DD)")
    sources = data.get("sources") or {}
    for key in params:
        if key not in sources:
            problems.append(
                f"{name}:{line_at(data, ['params', key])}: params.{key} has no source; add under sources: "
                f"'{key}: <regulation, manual chapter or policy>' (or say that the value is an example)"
            )
    for key in sources:
        if key not in params:
            problems.append(f"{name}:{line_at(data, ['sources', key])}: sources.{key} names a parameter this profile does not set")
    if raw.id == "default":
        for key in ("extends", "match"):
            if key in data:
                problems.append(f"{name}:{data.line_of(key)}: the default profile cannot have '{key}'")
    return problems


def _read_dir(directory: Path) -> tuple[list[_Raw], list[str]]:
    raws: list[_Raw] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        display = _display(path)
        data, probs = load_yaml(str(path), display)
        problems.extend(probs)
        if data is None and not probs:
            problems.append(f"{display}:1: the file is empty; a profile needs at least id and title")
            continue
        if not isinstance(data, LineDict):
            if data is not None:
                problems.append(f"{display}:1: a profile is a mapping of keys (id, title, params, ...), not {type(data).__name__}")
            continue
        schema_probs = schema_problems(data, PROFILE_SCHEMA, display)
        problems.extend(schema_probs)
        raw = _Raw(id=path.stem, path=path, display=display, data=data)
        if not schema_probs:
            problems.extend(_check_profile(raw))
        raws.append(raw)
    return raws, problems
