"""`claimscrub rules lint|test|list|explain|docs`: the rule author's tools (wiring only).

Exit codes: 0 fine, 1 lint warnings or failing rule tests, 2 rule files that do not load.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

import click

from scrubber import exitcodes


def _load(paths, rules_dirs, builtin=True):
    """The packs to work on: PATHS (directories, pack folders, rule files) else the standard packs,
    plus --rules directories. Rules in PATHS see the standard value sets too (for names PATHS do not
    define), as they do in a scrub, where the standard packs always load beside a user's."""
    from scrubber.rulespec import RuleLoadError, default_rule_dirs, load_packs

    standard_sets = [d / "valuesets" for d in default_rule_dirs() if (d / "valuesets").is_dir()]
    dirs = [Path(p) for p in paths] if paths else (default_rule_dirs() if builtin else [])
    dirs += [Path(p) for p in rules_dirs]
    if not dirs:
        click.echo("no rule directories found; pass a rule directory, pack folder or rule file", err=True)
        sys.exit(exitcodes.USAGE)
    try:
        return load_packs(dirs, fallback_valuesets=standard_sets if paths else ())
    except RuleLoadError as exc:
        for p in exc.problems:
            click.echo(p, err=True)
        click.echo(f"{len(exc.problems)} problem(s); no rules were run (fail closed)", err=True)
        sys.exit(exitcodes.USAGE)


# A rule directory, a pack folder, or single rule files (the one a rule author is editing).
_paths = click.argument("paths", nargs=-1, type=click.Path(exists=True))
_rules_opt = click.option("--rules", "rules_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
                          help="Add a rule pack directory (repeatable).")


@click.group()
def rules():
    """Rule author tools: lint, test, list, explain, docs."""


@rules.command()
@_paths
@_rules_opt
def lint(paths, rules_dirs):
    """Check rule files: schema, meaning, compilation, and that each rule has fire and pass cases.

    PATHS: rule directories, pack folders or single rule files (default: the standard packs).
    A single file loads with the value sets of the rule directory it sits in.
    """
    packs = _load(paths, rules_dirs)
    from scrubber.engine.core import compile_packs
    from scrubber.rulespec import RuleLoadError

    try:
        compile_packs(packs)
    except RuleLoadError as exc:
        for p in exc.problems:
            click.echo(p, err=True)
        sys.exit(exitcodes.USAGE)
    warnings = []
    for r in packs.rules:
        kinds = {c.expect for c in r.tests}
        for want, word in (("fire", "must-fire"), ("pass", "must-not-fire")):
            if want not in kinds:
                warnings.append(f"{r.path}:1: {r.id} has no {word} test case; add one under tests: with expect: {want}")
    for w in warnings:
        click.echo(w)
    click.echo(f"{len(packs.rules)} rules in {len(packs.packs)} pack(s), {len(packs.valuesets)} value sets: "
               f"{'ok' if not warnings else f'{len(warnings)} warning(s)'}")
    sys.exit(exitcodes.FINDINGS if warnings else exitcodes.OK)


@rules.command("test")
@_paths
@_rules_opt
@click.option("-k", "select", help="Only rules whose id contains this text.")
def test_cmd(paths, rules_dirs, select):
    """Run every rule's test cases through durable-rules and the reference evaluator.

    PATHS: rule directories, pack folders or single rule files (default: the standard packs).
    """
    packs = _load(paths, rules_dirs)
    from scrubber.engine.cases import run_case

    failed = passed = 0
    for r in packs.rules:
        if select and select not in r.id:
            continue
        for c in r.tests:
            res = run_case(r, c, packs)
            if res.ok:
                passed += 1
                click.echo(f"PASSED {r.id}::{c.name}")
            else:
                failed += 1
                click.echo(f"FAILED {r.id}::{c.name} ({r.path}:{c.line}): {res.detail}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(exitcodes.FINDINGS if failed else exitcodes.OK)


def _payer_profile(payer: str, packs):
    """The resolved payer profile ``payer`` (exit 2 with every problem when it cannot be used)."""
    from scrubber.config import ConfigError, load_profiles

    try:
        profiles = load_profiles()
        profiles.check_rules([r.id for r in packs.rules], [p.id for p in packs.packs])
        return profiles.get(payer)
    except ConfigError as exc:
        for p in exc.problems:
            click.echo(p, err=True)
        sys.exit(exitcodes.USAGE)


@rules.command("list")
@_paths
@_rules_opt
@click.option("--payer", help="Show, for this payer profile, whether each rule runs and at what severity.")
def list_cmd(paths, rules_dirs, payer):
    """One line per rule: id, severity, category, pack, source.

    With --payer: whether the rule runs for that payer (``off`` when the profile disables it,
    ``idle`` when it needs a parameter the profile does not set) and its effective severity.
    """
    packs = _load(paths, rules_dirs)
    ordered = sorted(packs.rules, key=lambda r: r.id)
    if payer:
        profile = _payer_profile(payer, packs)
        click.echo(f"payer profile {profile.id} ({profile.path}; extends {' <- '.join(profile.chain)})")
        from scrubber.fields.payer import params_needed

        rows = []
        for r in ordered:
            enabled, severity = profile.rule_status(r.id, r.pack, r.severity)
            unset = sorted(params_needed(r) - set(profile.params))
            state = ("idle: no params." + ", params.".join(unset)) if enabled and unset else ("runs" if enabled else "off")
            if severity != r.severity:
                severity += f" (rule: {r.severity})"
            rows.append((r.id, state, severity, r.category, r.pack))
        header = ("ID", "STATUS", "SEVERITY", "CATEGORY", "PACK")
        widths = [max(len(row[k]) for row in [header] + rows) for k in range(5)]
        for row in [header] + rows:
            click.echo("  ".join(v.ljust(widths[k]) for k, v in enumerate(row)).rstrip())
        return
    rows = [(r.id, r.severity, r.category, r.pack, r.source or "") for r in ordered]
    widths = [max([len(h)] + [len(row[k]) for row in rows]) for k, h in enumerate(("ID", "SEVERITY", "CATEGORY", "PACK"))]
    header = ("ID", "SEVERITY", "CATEGORY", "PACK", "SOURCE")
    for row in [header] + rows:
        click.echo("  ".join(v.ljust(widths[k]) for k, v in enumerate(row[:4])) + "  " + row[4])


def describe_condition(node, indent: str = "") -> list[str]:
    """The condition tree in words, one line per test."""
    from scrubber.rulespec.model import AllOf, AnyOf, Not, Test

    words = {"eq": "is", "ne": "is not", "lt": "is less than", "le": "is at most", "gt": "is more than",
             "ge": "is at least", "in": "is one of", "not_in": "is none of", "matches": "matches the pattern",
             "exists": "is present", "missing": "is missing", "between": "is between", "in_set": "is in the value set"}
    if isinstance(node, Test):
        if node.ref is not None:
            val = f"{node.ref.alias}.{node.ref.field}"
        elif node.op == "between":
            val = f"{node.value[0]} and {node.value[1]}"
        elif node.op in ("in", "not_in"):
            val = ", ".join(map(str, node.value))
        else:
            val = "" if node.value is None else str(node.value)
        return [f"{indent}{node.alias}.{node.field} {words[node.op]} {val}".rstrip()]
    if isinstance(node, Not):
        return [f"{indent}it is not true that:"] + describe_condition(node.item, indent + "  ")
    head = "all of:" if isinstance(node, AllOf) else "any of:"
    out = [f"{indent}{head}"]
    for item in node.items:
        out += describe_condition(item, indent + "  ")
    return out


def explain_text(r) -> str:
    lines = [f"{r.id}: {r.title}", f"  severity {r.severity}, category {r.category}, pack {r.pack}, file {r.path}"]
    if r.source:
        lines.append(f"  source: {r.source}")
    if r.effective or r.expires:
        lines.append(f"  in force for dates of service {r.effective or 'any'} to {r.expires or 'open'}")
    if r.why:
        lines.append(f"  why: {r.why.strip()}")
    lines.append(f"  checks each {r.subject}" + (f" with {', '.join(a for a in r.aliases if a != r.subject)}" if len(r.aliases) > 1 else "")
                 + "; it fires when")
    lines += ["    " + s for s in describe_condition(r.when)]
    lines.append(f"  message: {r.message}")
    if r.suggestion:
        lines.append(f"  fix: {r.suggestion}")
    for c in r.tests:
        lines.append(f"  example ({'fires' if c.expect == 'fire' else 'passes'}): {c.name}")
    return "\n".join(lines)


@rules.command()
@click.argument("rule_id")
@_rules_opt
def explain(rule_id, rules_dirs):
    """What RULE_ID checks, in words: why, source, examples."""
    packs = _load((), rules_dirs)
    r = packs.rule(rule_id)
    if r is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [x.id for x in packs.rules], n=1)
        click.echo(f"no rule {rule_id!r}" + (f" (did you mean {close[0]}?)" if close else ""), err=True)
        sys.exit(exitcodes.USAGE)
    click.echo(explain_text(r))


@rules.command()
@_paths
@_rules_opt
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Write the pages here.")
def docs(paths, rules_dirs, out_dir):
    """Write one HTML page per rule and an index to DIR."""
    packs = _load(paths, rules_dirs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    esc = html.escape
    items = []
    for r in sorted(packs.rules, key=lambda r: r.id):
        body = "\n".join(f"<p>{esc(line)}</p>" if not line.startswith("    ") else f"<pre>{esc(line)}</pre>"
                         for line in explain_text(r).splitlines())
        (out / f"{r.id}.html").write_text(
            f"<!doctype html><meta charset='utf-8'><title>{esc(r.id)}</title>"
            f"<h1>{esc(r.id)}: {esc(r.title)}</h1>{body}<p><a href='index.html'>all rules</a></p>\n", encoding="utf-8")
        items.append(f"<tr><td><a href='{esc(r.id)}.html'>{esc(r.id)}</a></td><td>{esc(r.severity)}</td>"
                     f"<td>{esc(r.category)}</td><td>{esc(r.title)}</td></tr>")
    (out / "index.html").write_text("<!doctype html><meta charset='utf-8'><title>claimscrub rules</title>"
                                    "<h1>Rules</h1><table><tr><th>id</th><th>severity</th><th>category</th><th>title</th></tr>"
                                    + "".join(items) + "</table>\n", encoding="utf-8")
    click.echo(f"wrote {len(items)} rule pages and index.html to {out}")
