"""`claimscrub scrub`: wiring from options to the pipeline and a renderer."""
from __future__ import annotations

import os
import sys

import click

from scrubber import exitcodes
from scrubber.cli.progress import estimate_claims, exit_interrupted, progress_for, progress_option
from scrubber.model.result import FAIL_ON_CHOICES, SEVERITY_RANK
from scrubber.model.result import OUTPUT_FORMATS as FORMATS


def exit_code_for(result, fail_on: str) -> int:
    """INPUT when an input could not be read (whatever --fail-on says), else by --fail-on."""
    if exitcodes.input_problems(result):
        return exitcodes.INPUT
    if fail_on == "never":
        return exitcodes.OK
    threshold = SEVERITY_RANK[fail_on]
    totals = getattr(result.claims, "totals", None)  # kept as results arrived (the summary's counts)
    if totals is not None:  # the same answer without reading the results back from the spool
        return (exitcodes.FINDINGS if totals.by_status.get("unreadable", 0)
                or any(n and SEVERITY_RANK.get(sev, 0) >= threshold for sev, n in totals.by_severity.items())
                else exitcodes.OK)
    for c in result.claims:
        if c.status == "unreadable":
            return exitcodes.FINDINGS
        if c.worst_rank() >= threshold:
            return exitcodes.FINDINGS
    return exitcodes.OK


def _fail_setup(problems) -> None:
    """Every rule-file / profile / reference-data problem, then exit 2 (fail closed)."""
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(problems)} problem(s): nothing was scrubbed.", err=True)
    sys.exit(exitcodes.USAGE)


def prepare(payer=None, data_dir=None, rule_dirs=(), eligibility=(), verify=False, **more):
    """Layered settings (command line on top) and everything the run needs; exit 2 on a setup error."""
    from scrubber.runsetup import SetupError, load_run_settings, prepare_run

    cli = {"payer": payer, "data_dir": data_dir, "rules": tuple(rule_dirs), "eligibility": tuple(eligibility), **more}
    try:
        settings = load_run_settings(cli)
        return prepare_run(settings, verify=verify)
    except SetupError as exc:
        _fail_setup(exc.problems)


# Shared by `scrub` and `audit run`: both hand the files to ``prepare`` (scrubber.runsetup loads them).
eligibility_option = click.option(
    "--eligibility", multiple=True, type=click.Path(exists=True, dir_okay=False),
    help="271, 834 or CSV eligibility file (repeatable); the eligibility rules check each claim's coverage against it.")


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Shared by `scrub` and `audit run` (scrubber.jobs: the same output for any N).
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=_default_jobs, show_default="all cores",
    help="Worker processes reading and scrubbing the claims (the output is the same for any number).")


def build_scrub_options(paths, payer=None, data_dir=None, rule_dirs=(), eligibility=(), verify=False):
    """The ScrubOptions a `scrub` of ``paths`` uses (shared with `audit run`)."""
    prepared = prepare(payer=payer, data_dir=data_dir, rule_dirs=rule_dirs, eligibility=eligibility, verify=verify)
    return prepared.options(list(paths))


def _withdraw_clean_file(result, clean_out) -> bool:
    """No "ready to send" file from a run that could not read its input (exit code 3): True if withdrawn."""
    problems = exitcodes.input_problems(result)
    if not (clean_out and problems):
        return False
    click.echo(f"clean: {clean_out} not written: {problems[0]}"
               + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), err=True)
    return True


@click.command(epilog=exitcodes.HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Report format (default: text, or the `format` setting).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here (default: standard output).")
@click.option("--payer", "payer", help="Force this payer profile for every claim (default: the profile whose `match` fits each claim).")
@eligibility_option
@click.option("--data-dir", type=click.Path(file_okay=False), help="Reference-data directory (also CLAIMSCRUB_DATA_DIR).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Add a rule pack directory (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=None, help="Lowest severity that makes the exit code 1 (default: error).")
@click.option("--clean-out", type=click.Path(dir_okay=False, writable=True), help="Write claims with nothing at or above --fail-on here as an 837.")
@click.option("--held-out", type=click.Path(dir_okay=False, writable=True), help="Write the other readable claims here as an 837.")
@click.option("--ack-999", type=click.Path(dir_okay=False, writable=True), help="Write a 999 implementation acknowledgment of the input here.")
@click.option("--ack-277ca", type=click.Path(dir_okay=False, writable=True), help="Write a 277CA claim acknowledgment here (rejected = at or above --fail-on).")
@click.option("--ledger", type=click.Path(dir_okay=False), help="Ledger database (default: ledger.sqlite3 in the data directory).")
@click.option("--no-ledger", is_flag=True, help="Do not record this run in the ledger.")
@click.option("--ledger-phi", is_flag=True, help="Store member ids in the ledger as text instead of salted hashes.")
@click.option("--verify", is_flag=True, help="Also run the pure-Python reference evaluator and report any disagreement.")
@click.option("--redact", is_flag=True, help="Mask patient names, member ids and birth dates in the output.")
@click.option("-q", "--quiet", is_flag=True, help="Text format: fold clean claims without findings into one counted line; no progress line.")
@jobs_option
@progress_option
def scrub(paths, fmt, output, payer, eligibility, data_dir, rule_dirs, fail_on, clean_out, held_out, ack_999, ack_277ca, ledger, no_ledger, ledger_phi, verify, redact, quiet, jobs, show_progress):
    """Scrub the claims in PATH... (837 or JSON files, directories, or - for standard input).

    Every run is recorded in the ledger (ledger.sqlite3 in the data directory, or --ledger;
    `claimscrub audit history` lists the runs); --no-ledger turns that off.
    """
    from scrubber.pipeline import input_files as pipeline_input_files
    from scrubber.pipeline import run_scrub
    from scrubber.report import render

    prepared = prepare(payer=payer, data_dir=data_dir, rule_dirs=rule_dirs, eligibility=eligibility, verify=verify,
                       fail_on=fail_on, format=fmt, ledger=ledger)
    settings = prepared.settings
    fail_on = settings.get("fail_on")
    fmt = settings.get("format")
    if not no_ledger:
        from scrubber.cli.audit_cmd import ledger_path

        ledger = ledger_path(ledger, settings)
    else:
        ledger = None
    from scrubber.cli.audit_ledger import open_run_ledger

    run_ledger = open_run_ledger(prepared, ledger, ledger_phi)  # frequency limits count its history
    splitter = None
    if clean_out or held_out:
        from scrubber.writers.x12_split import SplitWriter

        splitter = SplitWriter(clean_out, held_out, fail_on)
    progress = progress_for(show_progress, quiet)
    if progress.enabled:
        progress.total = estimate_claims(pipeline_input_files(list(paths))) if "-" not in paths else None
    on_claim = progress.update
    if splitter is not None:
        def on_claim(record, claim_result):
            progress.update(record, claim_result)
            splitter.add(record, claim_result)
    try:
        opts = prepared.options(list(paths), on_claim=on_claim)
        opts.ack_details = bool(ack_277ca)
        opts.jobs = jobs
        if splitter is not None:  # each claim's route (clean, held, set aside) and X12 come back from the workers
            opts.claim_keys = splitter.route
        if fmt == "json" and not redact:  # each claim's JSON rendered where it is evaluated
            from scrubber.report.json_report import claim_text

            opts.claim_json = claim_text
        if fmt == "html":  # the report's totals and tables gathered as the results are made
            from scrubber.report.html_digest import HtmlDigest

            opts.html_digest = HtmlDigest()
        result = run_scrub(opts)
    except KeyboardInterrupt:  # Ctrl-C: the workers are stopped; after the clean-up below, one line and exit 130
        result = None
    finally:
        progress.close()
        prepared.close()
    if result is None:
        exit_interrupted(progress, run_ledger)
    if splitter is not None:
        summary = splitter.close()
        withdrawn = _withdraw_clean_file(result, clean_out)
        # the control numbers claimscrub wrote (a withdrawn clean file was not written)
        result.run.extra["split_outputs"] = [o for o in summary.record() if not (withdrawn and o["side"] == "clean")]
        if withdrawn and os.path.exists(clean_out):
            os.remove(clean_out)
        for line in summary.lines():
            if not (withdrawn and line.startswith("clean:")):
                click.echo(line, err=True)
    if ack_999 or ack_277ca:
        from scrubber.cli.ack_cmd import write_acks

        for line in write_acks(result.claims, result.errors, ack_999, ack_277ca, fail_on):
            click.echo(line, err=True)
    if run_ledger is not None:
        run_ledger.record(result, "scrub", {"paths": list(paths), "fail_on": fail_on})
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        render(result, fmt, out, redact=redact, fail_on=fail_on, quiet=quiet,
               rule_titles={r.id: r.title for r in prepared.packs.rules}, digest=opts.html_digest)
    finally:
        if output:
            out.close()
    sys.exit(exit_code_for(result, fail_on))
