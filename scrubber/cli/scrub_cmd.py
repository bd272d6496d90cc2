"""`claimscrub scrub`: wiring from options to the pipeline and a renderer."""
from __future__ import annotations

import sys

import click

from scrubber import exitcodes
from scrubber.model.result import SEVERITY_RANK

FORMATS = ["text", "json", "csv", "html", "junit"]


def exit_code_for(result, fail_on: str) -> int:
    if fail_on == "never":
        return exitcodes.OK
    threshold = SEVERITY_RANK[fail_on]
    for c in result.claims:
        if c.status == "unreadable":
            return exitcodes.FINDINGS
        if c.worst_rank() >= threshold:
            return exitcodes.FINDINGS
    return exitcodes.OK


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here (default: standard output).")
@click.option("--payer", "payer", help="Force this payer profile for every claim.")
@click.option("--eligibility", multiple=True, type=click.Path(exists=True, dir_okay=False), help="271, 834 or CSV eligibility file (repeatable).")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="CLAIMSCRUB_DATA_DIR", help="Reference-data directory.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Add a rule pack directory (repeatable).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True)
@click.option("--clean-out", type=click.Path(dir_okay=False, writable=True), help="Write claims with nothing at or above --fail-on here as an 837.")
@click.option("--held-out", type=click.Path(dir_okay=False, writable=True), help="Write the other readable claims here as an 837.")
@click.option("--ledger", type=click.Path(dir_okay=False), help="Ledger database (SQLite).")
@click.option("--verify", is_flag=True, help="Also run the pure-Python reference evaluator and report any disagreement.")
@click.option("--redact", is_flag=True, help="Mask patient names, member ids and birth dates in the output.")
def scrub(paths, fmt, output, payer, eligibility, data_dir, rule_dirs, fail_on, clean_out, held_out, ledger, verify, redact):
    """Scrub the claims in PATH... (837 or JSON files, directories, or - for standard input)."""
    from scrubber.pipeline import ScrubOptions, run_scrub
    from scrubber.report import render

    splitter = None
    if clean_out or held_out:
        from scrubber.writers.x12_split import SplitWriter

        splitter = SplitWriter(clean_out, held_out, fail_on)
    opts = ScrubOptions(paths=list(paths), payer_profile=payer, on_claim=splitter.add if splitter else None)
    result = run_scrub(opts)
    if splitter is not None:
        for line in splitter.close().lines():
            click.echo(line, err=True)
    if ledger:
        from scrubber.ledger import Ledger

        with Ledger(ledger) as db:
            db.record_run(result, kind="scrub", options={"paths": list(paths), "fail_on": fail_on})
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        render(result, fmt, out, redact=redact, fail_on=fail_on)
    finally:
        if output:
            out.close()
    sys.exit(exit_code_for(result, fail_on))
