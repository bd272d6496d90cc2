"""Layered run settings with provenance.

One documented order, lowest first:

1. packaged defaults (``DEFAULTS`` below; the ``default`` payer profile for payer values)
2. the payer profile that matches the claim (``profiles.py``)
3. the project file: ``setup.cfg`` section ``[claimscrub]`` or ``claimscrub.toml``
   (table ``[claimscrub]``) in the current directory; both at once is an error
4. environment variables ``CLAIMSCRUB_<SETTING>`` (``CLAIMSCRUB_FAIL_ON``;
   parameters as ``CLAIMSCRUB_PARAM_<NAME>`` holding JSON)
5. command-line options

A later layer replaces an earlier value whole (a list of rule directories on
the command line replaces the project file's list). The payer-wide keys
``disable_rules``, ``enable_rules``, ``disable_packs``, ``enable_packs``,
``severity`` and ``params.<name>`` apply on top of whichever profile a claim gets.
Unknown keys in a project file are errors with file and line; unknown
``CLAIMSCRUB_*`` variables are reported as warnings (other tools may share the
prefix). ``claimscrub config show`` prints every value and its origin.
"""
from __future__ import annotations

import configparser
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from scrubber.config.profiles import ConfigError, Valued

from scrubber.model.result import FAIL_ON_CHOICES, OUTPUT_FORMATS, SEVERITIES


# Environment switches of the compiled X12 reader (setup.py, scrubber/readers/x12, CI), not run settings.
BUILD_SWITCHES = frozenset({"CLAIMSCRUB_NO_COMPILE", "CLAIMSCRUB_PURE_READER", "CLAIMSCRUB_REQUIRE_COMPILED_READER"})


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "claimscrub")


@dataclass(frozen=True)
class Spec:
    kind: str  # str, path, choice, paths, ids, severity_map
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""


SETTINGS: dict[str, Spec] = {
    "payer": Spec("str", None, help="force this payer profile for every claim"),
    "fail_on": Spec("choice", "error", FAIL_ON_CHOICES, "lowest severity that makes the exit code 1"),
    "format": Spec("choice", "text", OUTPUT_FORMATS, "report format"),
    "data_dir": Spec("path", None, help="reference-data directory"),
    "rules": Spec("paths", (), help="extra rule pack directories"),
    "profile_dirs": Spec("paths", (), help="extra payer profile directories"),
    "eligibility": Spec("paths", (), help="eligibility files (271, 834, CSV)"),
    "ledger": Spec("path", None, help="ledger database"),
    "disable_rules": Spec("ids", (), help="rule ids never run, for every payer"),
    "enable_rules": Spec("ids", (), help="rule ids a profile disabled, run anyway"),
    "disable_packs": Spec("ids", (), help="packs never run, for every payer"),
    "enable_packs": Spec("ids", (), help="packs a profile disabled, run anyway"),
    "severity": Spec("severity_map", {}, help="RULE-ID=severity overrides, for every payer"),
}


@dataclass
class Settings:
    values: dict[str, Valued] = field(default_factory=dict)
    params: dict[str, Valued] = field(default_factory=dict)  # params.<name> overrides
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> Any:
        return self.values[name].value

    def rows(self) -> list[tuple[str, Any, str]]:
        rows = [(k, v.value, v.origin) for k, v in self.values.items()]
        rows += [(f"params.{k}", v.value, v.origin) for k, v in sorted(self.params.items())]
        return rows


def _split(text: str, sep: str) -> tuple[str, ...]:
    parts = re.split(sep, text)
    return tuple(p.strip() for p in parts if p.strip())


def _coerce(name: str, raw: Any, where: str, path_sep: str = r"[,\n]") -> Any:
    """Turn a raw setting (text from INI / environment, or a TOML value) into its typed value."""
    spec = SETTINGS[name]
    if spec.kind in ("str", "path"):
        if not isinstance(raw, str):
            raise ValueError(f"{where}: {name} should be text")
        return raw.strip() or None
    if spec.kind == "choice":
        value = str(raw).strip()
        if value not in spec.choices:
            raise ValueError(f"{where}: {name} is '{value}'; write one of: {', '.join(spec.choices)}")
        return value
    if spec.kind in ("paths", "ids"):
        if isinstance(raw, list):
            if not all(isinstance(x, str) for x in raw):
                raise ValueError(f"{where}: {name} should be a list of text")
            return tuple(raw)
        if not isinstance(raw, str):
            raise ValueError(f"{where}: {name} should be a list")
        return _split(raw, path_sep if spec.kind == "paths" else r"[,\n]")
    if spec.kind == "severity_map":
        if isinstance(raw, dict):
            items = list(raw.items())
        elif isinstance(raw, str):
            items = []
            for entry in _split(raw, r"[,\n]"):
                if "=" not in entry and ":" not in entry:
                    raise ValueError(f"{where}: severity entry '{entry}' should be RULE-ID=severity")
                rule, sev = re.split(r"[=:]", entry, maxsplit=1)
                items.append((rule.strip(), sev.strip()))
        else:
            raise ValueError(f"{where}: severity should be RULE-ID=severity entries")
        out = {}
        for rule, sev in items:
            if sev not in SEVERITIES:
                raise ValueError(f"{where}: severity for {rule} is '{sev}'; write one of: {', '.join(SEVERITIES)}")
            out[str(rule)] = sev
        return out
    raise AssertionError(spec.kind)


def _param_value(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # a bare regular expression or word


def _check_params(params: Mapping[str, Valued]) -> list[str]:
    from scrubber.config.schema_errors import schema_problems

    problems = []
    for name, v in params.items():
        for p in schema_problems({name: v.value}, "payer_profile.schema.json", v.origin, sub="params"):
            p = p.replace(f"{v.origin}:0: ", f"{v.origin}: ")
            problems.append(p.replace("unknown key", "unknown parameter") if "unknown key" in p else p.replace(f"{v.origin}: ", f"{v.origin}: params.", 1))
        if name == "timely_filing" and isinstance(v.value, dict) and ("days" in v.value) == ("months" in v.value):
            problems.append(f"{v.origin}: params.timely_filing needs exactly one of days or months")
        if name == "member_id_pattern" and isinstance(v.value, str):
            try:
                re.compile(v.value)
            except re.error as exc:
                problems.append(f"{v.origin}: params.member_id_pattern is not a valid regular expression: {exc}")
    return problems


def _key_lines(path: Path, section: Optional[str]) -> dict[str, int]:
    """1-based line of each key in ``section`` (INI) or anywhere (TOML), for error messages."""
    lines: dict[str, int] = {}
    current = None
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = text.strip()
        m = re.match(r"^\[+\s*([^\]]+?)\s*\]+", stripped)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^([A-Za-z0-9_.\-\"']+)\s*[=:]", text)
        if m and (section is None or current == section):
            key = m.group(1).strip("\"'")
            if current and current.startswith("claimscrub.") and section is None:
                key = current[len("claimscrub."):] + "." + key
            lines.setdefault(key, n)
    return lines


def _project_layer(cwd: Path) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Raw key -> value and key -> origin from setup.cfg [claimscrub] or claimscrub.toml."""
    cfg, toml_path = cwd / "setup.cfg", cwd / "claimscrub.toml"
    raw: dict[str, Any] = {}
    origins: dict[str, str] = {}
    used = None
    if cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(cfg, encoding="utf-8")
        except configparser.Error as exc:
            raise ConfigError([f"{cfg.name}: cannot parse: {exc}"])
        if parser.has_section("claimscrub"):
            used = cfg.name
            lines = _key_lines(cfg, "claimscrub")
            for key, value in parser.items("claimscrub"):
                raw[key] = value
                origins[key] = f"{cfg.name}:{lines.get(key, 0)} [claimscrub]"
    if toml_path.is_file():
        import tomllib

        try:
            doc = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{toml_path.name}: cannot parse: {exc}"])
        table = doc.get("claimscrub", {})
        if used and table:
            raise ConfigError([f"{used} has a [claimscrub] section and {toml_path.name} exists too; keep one"])
        lines = _key_lines(toml_path, None)
        for key in doc:
            if key != "claimscrub":
                raise ConfigError([f"{toml_path.name}:{lines.get(key, 0)}: unknown top-level key '{key}'; put settings under [claimscrub]"])
        for key, value in table.items():
            if key == "params" and isinstance(value, dict):
                for pname, pval in value.items():
                    raw[f"params.{pname}"] = pval
                    origins[f"params.{pname}"] = f"{toml_path.name}:{lines.get('params.' + pname, lines.get(pname, 0))}"
                continue
            raw[key] = value
            origins[key] = f"{toml_path.name}:{lines.get(key, 0)}"
        if table:
            used = toml_path.name
    return raw, origins, used


def load_settings(cwd: Optional[str] = None, env: Optional[Mapping[str, str]] = None, cli: Optional[Mapping[str, Any]] = None) -> Settings:
    """Resolve every setting through the documented layers. Raises ConfigError listing all problems."""
    env = os.environ if env is None else env
    settings = Settings()
    problems: list[str] = []
    for name, spec in SETTINGS.items():
        default = _default_data_dir() if name == "data_dir" else spec.default
        settings.values[name] = Valued(default, "packaged default")

    raw, origins, _ = _project_layer(Path(cwd or os.getcwd()))
    for key, value in raw.items():
        where = origins[key]
        if key.startswith("params."):
            settings.params[key[len("params."):]] = Valued(_param_value(value), where)
        elif key in SETTINGS:
            try:
                settings.values[key] = Valued(_coerce(key, value, where), where)
            except ValueError as exc:
                problems.append(str(exc))
        else:
            problems.append(f"{where}: unknown setting '{key}'; known: {', '.join(SETTINGS)}, params.<name>")

    for var, value in sorted(env.items()):
        if not var.startswith("CLAIMSCRUB_") or var in BUILD_SWITCHES:
            continue
        where = f"environment {var}"
        key = var[len("CLAIMSCRUB_"):].lower()
        if key.startswith("param_"):
            settings.params[key[len("param_"):]] = Valued(_param_value(value), where)
        elif key in SETTINGS:
            try:
                settings.values[key] = Valued(_coerce(key, value, where, path_sep=re.escape(os.pathsep)), where)
            except ValueError as exc:
                problems.append(str(exc))
        else:
            settings.warnings.append(f"{where} is not a claimscrub setting (ignored)")

    for key, value in (cli or {}).items():
        if value is None or value == () or value == []:
            continue
        where = f"command line ({key.replace('_', '-')})"
        if key.startswith("params."):
            settings.params[key[len("params."):]] = Valued(_param_value(value), where)
            continue
        if key not in SETTINGS:
            raise ConfigError([f"{where}: unknown setting '{key}'"])
        if isinstance(value, tuple):
            value = list(value)
        try:
            settings.values[key] = Valued(_coerce(key, value, where), where)
        except ValueError as exc:
            problems.append(str(exc))
    problems += _check_params(settings.params)
    if problems:
        raise ConfigError(problems)
    return settings
