"""Text and JSON views of the ledger for `audit history`, `audit show` and `audit diff`."""
from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Callable

Echo = Callable[[str], None]


def _inputs_text(paths: list[str], most: int = 2) -> str:
    """The run's input files, the first ``most`` named and the rest counted."""
    shown = ", ".join(paths[:most])
    return shown + (f" (+{len(paths) - most} more)" if len(paths) > most else "") if paths else "-"


def print_history(runs, fmt: str, echo: Echo, inputs_of: Callable[[int], list[str]] = lambda run_id: []) -> None:
    """One line per run, newest first, ending with the input files it read (``inputs_of(run id)``)."""
    if fmt == "json":
        echo(json.dumps([{**dataclasses.asdict(r), "inputs": inputs_of(r.id)} for r in runs], indent=2))
        return
    if not runs:
        echo("no runs recorded")
        return
    echo(f"{'run':>5}  {'kind':<6} {'started':<26} {'claims':>8} {'flagged':>8} {'unread.':>8} {'findings':>9} {'at risk':>14}  inputs")
    for r in runs:
        findings = r.findings_error + r.findings_warning + r.findings_info
        echo(f"{r.id:>5}  {r.kind:<6} {r.started:<26} {r.claims_total:>8,} {r.claims_flagged:>8,} "
             f"{r.claims_unreadable:>8,} {findings:>9,} {float(r.charges_at_risk):>14,.2f}  {_inputs_text(inputs_of(r.id))}"
             + ("  INCOMPLETE (interrupted before it was recorded)" if r.incomplete else ""))


def print_run(db, ref, fmt: str, echo: Echo) -> None:
    row = db.run(ref)
    info = db.run_info(row.id)
    findings = db.findings(row.id)
    if fmt == "json":
        echo(json.dumps({"run": dataclasses.asdict(row), **info,
                         "findings": [dataclasses.asdict(f) for f in findings]}, indent=2))
        return
    echo(f"run {row.id} ({row.kind}) started {row.started}, recorded {row.recorded}, claimscrub {row.tool_version}")
    echo(f"claims {row.claims_total:,}: {row.claims_clean:,} clean, {row.claims_flagged:,} flagged, "
         f"{row.claims_unreadable:,} unreadable; charges at risk {float(row.charges_at_risk):,.2f}")
    echo(f"findings: {row.findings_error:,} error, {row.findings_warning:,} warning, {row.findings_info:,} info; "
         f"{row.run_errors:,} run errors; member ids {'as text (--ledger-phi)' if row.phi else 'as salted hashes'}")
    for title, key, fields in (("inputs", "inputs", ("path", "sha256")),
                               ("rule packs", "rulesets", ("id", "version", "sha256")),
                               ("reference data", "refdata", ("kind", "edition", "sha256")),
                               ("payer profiles", "payer_profiles", ("id", "sha256"))):
        echo(f"{title}:" + ("" if info[key] else " none"))
        for item in info[key]:
            echo("  " + "  ".join(str(item.get(f) or "-") for f in fields))
    by_rule = Counter(f.rule_id for f in findings)
    if by_rule:
        echo("findings by rule:")
        for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            echo(f"  {rule:<24} {n:>8,}")


def _finding_line(f) -> str:
    where = f.location_path or "-"
    line = f" line {f.line}" if f.line is not None else ""
    return f"{f.claim_id}{line} {f.severity} {f.rule_id} [{f.category}] {where}: {f.message}"


def print_diff(d, fmt: str, echo: Echo) -> None:
    if fmt == "json":
        echo(json.dumps(d.to_dict(), indent=2))
        return
    echo(f"run {d.run_a} -> run {d.run_b}: {len(d.appeared)} findings appeared, {len(d.disappeared)} disappeared")
    for change in d.changes:
        echo(f"  {change}")
    for title, rows, mark in (("appeared", d.appeared, "+"), ("disappeared", d.disappeared, "-")):
        if rows:
            echo(f"{title}:")
            for f in rows:
                echo(f"{mark} {_finding_line(f)}")
