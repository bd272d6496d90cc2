"""One playground check: the editor's rule text (saved or not) -> lint, test cases, findings.

Nothing here re-implements a command: the rule loads with ``load_packs`` exactly as
``claimscrub rules lint FILE`` loads one file (the value sets of its rule directory, the standard
sets as fallback), ``lint_packs`` is what ``rules lint`` prints, ``run_case`` what ``rules test``
runs, and the claim goes through the readers and ``run_scrub`` as in ``scrub`` (payer profiles,
reference data from the configured data directory), rendered by the JSON report writer.

The unsaved text must load as if it were the file on disk. ``mirror`` builds, in a temporary
directory, a copy of the served directory made of symbolic links, with the edited file written
in its place; the loader then sees the same neighbours (value sets, sibling packs for the
duplicate-id check). Paths in the messages are mapped back to the real ones.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

RULE_LIMIT = 256 * 1024       # characters of rule text
CLAIM_LIMIT = 2 * 1024 * 1024  # characters of claim text


def _mirror(root: Path, rel: Path, text: str, into: Path) -> Path:
    """A link copy of ``root`` under ``into`` with ``rel`` holding ``text``; returns the copy's root."""
    top = into / root.name
    here, real = top, root
    parts = rel.parts
    for depth, part in enumerate(parts):
        here.mkdir()
        for entry in sorted(real.iterdir()) if real.is_dir() else []:
            if entry.name != part:
                os.symlink(entry, here / entry.name)
        if depth == len(parts) - 1:
            (here / part).write_text(text, encoding="utf-8")
        here, real = here / part, real / part
    return top


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


_LOCATED = re.compile(r"^(?P<path>.*?):(?P<line>\d+): (?P<message>.*)$", re.S)


def _problem(text: str, real: str, kind: str) -> dict:
    """``file:line: message`` -> {line, message, kind}; ``line`` only when it names the edited file."""
    m = _LOCATED.match(text)
    if m and m.group("path") == real:
        return {"kind": kind, "line": int(m.group("line")), "message": m.group("message"), "text": text}
    return {"kind": kind, "line": None, "message": text, "text": text}


def rule_info(rule) -> dict:
    """What the page shows beside a finding of this rule."""
    return {"id": rule.id, "title": rule.title, "severity": rule.severity, "category": rule.category,
            "why": (rule.why or "").strip(), "source": rule.source or "", "suggestion": rule.suggestion or "",
            "cases": [{"name": c.name, "expect": c.expect, "line": c.line, "claim": _jsonable(c.claim)}
                      for c in rule.tests]}


def check(root: str, rel: str, text: str, claim: str = "") -> dict:
    """Lint ``text`` as the rule file ``root/rel``, run its cases, scrub ``claim`` (837 or JSON) with it."""
    from scrubber.rulespec import RuleLoadError, default_rule_dirs, load_packs

    out: dict = {"problems": [], "cases": [], "claim": None, "rule": None}
    real_root = Path(root)
    real_file = str(real_root / rel)
    if len(text) > RULE_LIMIT:
        out["problems"].append({"kind": "error", "line": None, "text": "",
                                "message": f"the rule text is {len(text):,} characters; the playground takes at most {RULE_LIMIT:,}"})
        return out
    with tempfile.TemporaryDirectory(prefix="claimscrub-playground-") as tmp:
        top = _mirror(real_root, Path(rel), text, Path(tmp))

        def real(s: str) -> str:
            return s.replace(str(top), str(real_root))

        standard = [d / "valuesets" for d in default_rule_dirs() if (d / "valuesets").is_dir()]
        try:
            packs = load_packs([top / rel], fallback_valuesets=standard)
        except RuleLoadError as exc:
            out["problems"] = [_problem(real(p), real_file, "error") for p in exc.problems]
            return out
        from scrubber.engine.lint import lint_packs

        report = lint_packs(packs)
        out["problems"] = ([_problem(real(p), real_file, "error") for p in report.errors]
                           + [_problem(real(p), real_file, "warning") for p in report.warnings])
        if report.errors or not packs.rules:
            return out
        rule = packs.rules[0]
        out["rule"] = rule_info(rule)
        from scrubber.engine.cases import run_case

        for case in rule.tests:
            res = run_case(rule, case, packs)
            out["cases"].append({"name": case.name, "expect": case.expect, "line": case.line, "ok": res.ok,
                                 "detail": res.detail})
        if claim.strip():
            out["claim"] = scrub_claim(packs, claim, Path(tmp))
    return out


def scrub_claim(packs, claim: str, tmp: Path) -> dict:
    """The JSON run result of scrubbing ``claim`` with ``packs`` (the edited rule), as ``scrub`` makes it."""
    if len(claim) > CLAIM_LIMIT:
        return {"error": f"the claim is {len(claim):,} characters; the playground takes at most {CLAIM_LIMIT:,}"}
    from scrubber.engine import Engine
    from scrubber.pipeline import run_scrub
    from scrubber.report import render
    from scrubber.runsetup import PreparedRun, SetupError, load_run_settings

    name = "pasted-claim.json" if claim.lstrip()[:1] in ("{", "[") else "pasted-claim.837"
    path = tmp / name
    path.write_text(claim, encoding="utf-8")
    try:
        settings = load_run_settings({})
        from scrubber.config import ConfigError, load_profiles
        from scrubber.refdata import RefDataError, open_refdata

        profiles = load_profiles(settings=settings)
        refdata = open_refdata(settings.get("data_dir"))
    except (SetupError, ConfigError, RefDataError) as exc:
        return {"error": "; ".join(getattr(exc, "problems", None) or [str(exc)])}
    prepared = PreparedRun(settings=settings, packs=packs, profiles=profiles, refdata=refdata,
                           engine=Engine(packs, refdata=refdata, verify=True, workers=0))
    try:
        result = run_scrub(prepared.options([str(path)]))
    finally:
        prepared.close()
    buf = io.StringIO()
    render(result, "json", buf)
    data = json.loads(buf.getvalue().replace(json.dumps(str(path))[1:-1], name))
    return {"result": data}
