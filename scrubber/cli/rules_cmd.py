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
    """Rule author tools: lint, test, list, explain, docs, serve."""


@rules.command()
@_paths
@_rules_opt
def lint(paths, rules_dirs):
    """Check rule files: schema, meaning, compilation, and that each rule has fire and pass cases.

    PATHS: rule directories, pack folders or single rule files (default: the standard packs).
    A single file loads with the value sets of the rule directory it sits in.
    """
    packs = _load(paths, rules_dirs)
    from scrubber.engine.lint import lint_packs

    report = lint_packs(packs)
    if report.errors:
        for p in report.errors:
            click.echo(p, err=True)
        sys.exit(exitcodes.USAGE)
    warnings = report.warnings
    for w in warnings:
        click.echo(w)
    click.echo(f"{len(packs.rules)} rules in {len(packs.packs)} pack(s), {len(packs.valuesets)} value sets: "
               f"{'ok' if not warnings else f'{len(warnings)} warning(s)'}")
    sys.exit(exitcodes.FINDINGS if warnings else exitcodes.OK)


@rules.command("test")
@_paths
@_rules_opt
@click.option("-k", "select", help="Only rules whose id contains this text.")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Data directory whose rule-cases/ store the cases read (default: the data_dir setting).")
def test_cmd(paths, rules_dirs, select, data_dir):
    """Run every rule's test cases through durable-rules and the reference evaluator.

    PATHS: rule directories, pack folders or single rule files (default: the standard packs).
    The cases read their own store, DATA_DIR/rule-cases (built-in ICD-10-CM and the packaged
    CMS-layout samples), never the tables imported into DATA_DIR.
    """
    from scrubber.cli.refdata_cmd import data_dir_setting

    where = str(data_dir_setting(data_dir))
    packs = _load(paths, rules_dirs)
    from scrubber.engine.cases import run_case

    failed = passed = 0
    for r in packs.rules:
        if select and select not in r.id:
            continue
        for c in r.tests:
            res = run_case(r, c, packs, where)
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
@click.option("--data-dir", type=click.Path(file_okay=False), help="Reference-data directory (also CLAIMSCRUB_DATA_DIR).")
def list_cmd(paths, rules_dirs, payer, data_dir):
    """One line per rule: id, severity, category, pack, status, source.

    STATUS is ``runs``, or ``idle: ...`` when the rule needs a reference table that is not
    imported (the import command is named). With --payer: also ``off`` when the profile
    disables it, ``idle`` when it needs a parameter the profile does not set, and its
    effective severity.
    """
    from scrubber.cli.rules_catalog import structure_rules

    packs = _load(paths, rules_dirs)
    # The X12 reader's structure rules run on every 837 whatever packs are loaded: listed with the
    # standard packs (not when PATHS name the rules to list).
    ordered = sorted(list(packs.rules) + ([] if paths else structure_rules()), key=lambda r: r.id)
    idle = _idle_reasons(packs, data_dir)
    if payer:
        profile = _payer_profile(payer, packs)
        click.echo(f"payer profile {profile.id} ({profile.path}; extends {' <- '.join(profile.chain)})")
        from scrubber.idle import params_needed

        rows = []
        for r in ordered:
            enabled, severity = profile.rule_status(r.id, r.pack, r.severity)
            unset = sorted(params_needed(r) - set(profile.params))
            state = ("idle: no params." + ", params.".join(unset)) if enabled and unset else ("runs" if enabled else "off")
            if state == "runs" and r.id in idle:
                state = "idle: " + idle[r.id]
            if severity != r.severity:
                severity += f" (rule: {r.severity})"
            rows.append((r.id, state, severity, r.category, r.pack))
        header = ("ID", "STATUS", "SEVERITY", "CATEGORY", "PACK")
        widths = [max(len(row[k]) for row in [header] + rows) for k in range(5)]
        for row in [header] + rows:
            click.echo("  ".join(v.ljust(widths[k]) for k, v in enumerate(row)).rstrip())
        return
    rows = [(r.id, r.severity, r.category, r.pack, "idle" if r.id in idle else "runs", r.source or "") for r in ordered]
    widths = [max([len(h)] + [len(row[k]) for row in rows]) for k, h in enumerate(("ID", "SEVERITY", "CATEGORY", "PACK", "STATUS"))]
    header = ("ID", "SEVERITY", "CATEGORY", "PACK", "STATUS", "SOURCE")
    for row in [header] + rows:
        click.echo("  ".join(v.ljust(widths[k]) for k, v in enumerate(row[:5])) + "  " + row[5])
    for reason, ids in _by_reason(idle):
        click.echo(f"idle: {reason}: {', '.join(ids)}")


def _idle_reasons(packs, data_dir) -> dict[str, str]:
    """rule id -> why it cannot run here (its reference table is not imported in the data directory)."""
    from scrubber.idle import idle_rules
    from scrubber.refdata import RefDataError, open_refdata

    try:
        refdata = open_refdata(data_dir)
    except RefDataError:
        refdata = None
    try:
        return {item["rule_id"]: item["reason"] for item in idle_rules(packs.rules, refdata)}
    finally:
        if refdata is not None:
            refdata.close()


def _by_reason(idle: dict[str, str]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for rule_id, reason in idle.items():
        groups.setdefault(reason, []).append(rule_id)
    return list(groups.items())


def shown(v) -> str:
    """A rule literal as its author wrote it: 4, not the 4.0 numbers are kept as."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def describe_condition(node, indent: str = "") -> list[str]:
    """The condition tree in words, one line per test."""
    from scrubber.rulespec.model import AllOf, AnyOf, Not, Test

    words = {"eq": "is", "ne": "is not", "lt": "is less than", "le": "is at most", "gt": "is more than",
             "ge": "is at least", "in": "is one of", "not_in": "is none of", "matches": "matches the pattern",
             "exists": "is present", "missing": "is missing", "between": "is between", "in_set": "is in the value set",
             "any_in": "has any of", "all_in": "has only items among", "none_in": "has none of"}
    if isinstance(node, Test):
        if node.ref is not None:
            val = f"{node.ref.alias}.{node.ref.field}"
        elif node.op == "between":
            val = f"{shown(node.value[0])} and {shown(node.value[1])}"
        elif node.op in ("in", "not_in", "any_in", "all_in", "none_in"):
            val = ", ".join(map(shown, node.value))
        else:
            val = "" if node.value is None else shown(node.value)
        return [f"{indent}{node.alias}.{node.field} {words[node.op]} {val}".rstrip()]
    if isinstance(node, Not):
        return [f"{indent}it is not true that:"] + describe_condition(node.item, indent + "  ")
    head = "all of:" if isinstance(node, AllOf) else "any of:"
    out = [f"{indent}{head}"]
    for item in node.items:
        out += describe_condition(item, indent + "  ")
    return out


def explain_text(r) -> str:
    from scrubber.cli.rules_catalog import StructureRule, structure_explain_text

    if isinstance(r, StructureRule):
        return structure_explain_text(r)
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
    from scrubber.cli.rules_catalog import reads_lines

    lines += reads_lines(r)
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
    from scrubber.cli.rules_catalog import structure_rule, structure_rules

    packs = _load((), rules_dirs)
    r = packs.rule(rule_id) or structure_rule(rule_id)
    if r is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [x.id for x in packs.rules] + [x.id for x in structure_rules()], n=1)
        click.echo(f"no rule {rule_id!r}" + (f" (did you mean {close[0]}?)" if close else ""), err=True)
        sys.exit(exitcodes.USAGE)
    click.echo(explain_text(r))


@rules.command()
@_paths
@_rules_opt
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Write the pages here.")
def docs(paths, rules_dirs, out_dir):
    """Write one HTML page per rule and an index to DIR."""
    from scrubber.cli.rules_catalog import structure_rules

    packs = _load(paths, rules_dirs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    esc = html.escape
    items = []
    for r in sorted(list(packs.rules) + ([] if paths else structure_rules()), key=lambda r: r.id):
        body = "\n".join(f"<p>{esc(line)}</p>" if not line.startswith("    ") else f"<pre>{esc(line)}</pre>"
                         for line in explain_text(r).splitlines())
        (out / f"{r.id}.html").write_text(
            f"<!doctype html><meta charset='utf-8'><title>{esc(r.id)}</title>"
            f"<h1>{esc(r.id)}: {esc(r.title)}</h1>{body}<p><a href='index.html'>all rules</a></p>\n", encoding="utf-8")
        items.append(f"<tr><td><a href='{esc(r.id)}.html'>{esc(r.id)}</a></td><td>{esc(r.severity)}</td>"
                     f"<td>{esc(r.category)}</td><td>{esc(r.title)}</td></tr>")
    from scrubber.cli.rules_fields import field_reference_html

    (out / "fields.html").write_text(field_reference_html(), encoding="utf-8")
    (out / "index.html").write_text("<!doctype html><meta charset='utf-8'><title>claimscrub rules</title>"
                                    "<h1>Rules</h1><p><a href='fields.html'>Field reference</a>: every field a rule "
                                    "can test, with its type</p>"
                                    "<table><tr><th>id</th><th>severity</th><th>category</th><th>title</th></tr>"
                                    + "".join(items) + "</table>\n", encoding="utf-8")
    click.echo(f"wrote {len(items)} rule pages, fields.html and index.html to {out}")


@rules.command()
@click.argument("rules_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (0: any free port).")
def serve(rules_dir, port):
    """The rule playground: edit a rule beside a claim in the browser (http://127.0.0.1:PORT/).

    RULES_DIR: the rule directory to edit and save into (default: ./rules if present, else the
    standard packs). Bound to 127.0.0.1 only; nothing is fetched from the network.
    """
    from scrubber.playground.server import serve as run
    from scrubber.rulespec import default_rule_dirs

    root = Path(rules_dir) if rules_dir else (Path("rules") if Path("rules").is_dir() else next(iter(default_rule_dirs()), None))
    if root is None:
        click.echo("no rule directory found; pass one: claimscrub rules serve RULES_DIR", err=True)
        sys.exit(exitcodes.USAGE)
    try:
        run(root, port)
    except OSError as exc:
        click.echo(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; pick another --port", err=True)
        sys.exit(exitcodes.USAGE)
