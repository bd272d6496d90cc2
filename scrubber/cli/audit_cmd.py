"""`claimscrub audit`: past claims in bulk, and the run ledger.

``audit`` is both a command and a group. ``claimscrub audit PATH... [options]`` audits claims
(it is shorthand for ``claimscrub audit run PATH...``); ``audit history``, ``audit show RUN``
and ``audit diff RUN_A RUN_B`` read the ledger. ``AuditGroup`` routes: when the first argument
is not a sub-command name it is taken as a path and ``run`` is implied. To audit a file that is
literally named ``history``, ``show``, ``diff`` or ``run``, write ``./history``.
"""
from __future__ import annotations

import os
import sys
from datetime import date

import click

from scrubber.cli.progress import progress_option
from scrubber.cli.scrub_cmd import eligibility_option, jobs_option
from scrubber.model.result import FAIL_ON_CHOICES
from scrubber.model.result import OUTPUT_FORMATS as REPORT_FORMATS
DEFAULT_REPORT = "claimscrub-audit.html"


class AuditGroup(click.Group):
    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=AuditGroup, invoke_without_command=True)
@click.pass_context
def audit(ctx):
    """Audit past claims in bulk, and read the run ledger.

    \b
    claimscrub audit PATH... [--since DATE] [--until DATE] [--payer-id ID] [--provider NPI]
                   [--eligibility FILE]... [-o REPORT.html]
    claimscrub audit history
    claimscrub audit show RUN
    claimscrub audit diff RUN_A RUN_B

    RUN is a run number from `audit history`, `last`, or `last~N` (N runs before the last).
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


def prepare(payer, data_dir, rule_dirs, eligibility, verify, ledger):
    """The same setup as `scrub` (rules, reference data, payer profiles, eligibility); exits 2 on a setup error.

    Returns a prepared run: ``.options(paths, on_claim=...)`` gives the pipeline's ScrubOptions,
    ``.settings`` the layered settings (data_dir, ledger), ``.close()`` stops the engine.
    """
    from scrubber.cli.scrub_cmd import prepare as prepare_scrub

    return prepare_scrub(payer=payer, data_dir=data_dir, rule_dirs=rule_dirs, eligibility=eligibility, verify=verify,
                         ledger=ledger)


def ledger_path(explicit, settings=None) -> str:
    """--ledger > the `ledger` setting > ledger.sqlite3 in the data directory."""
    from scrubber.ledger import LEDGER_FILE, default_ledger_path

    if explicit:
        return explicit
    if settings is None:
        try:
            from scrubber.config import load_settings

            settings = load_settings()
        except Exception:  # an unreadable project config must not hide the ledger; `scrub` reports it
            return default_ledger_path()
    if settings.get("ledger"):
        return str(settings.get("ledger"))
    if settings.get("data_dir"):
        return os.path.join(str(settings.get("data_dir")), LEDGER_FILE)
    return default_ledger_path()


def _read(paths):
    from scrubber.readers import iter_records

    return iter_records(paths)


@audit.command("run")
@click.argument("paths", nargs=-1, required=True)
@click.option("--since", callback=_date, metavar="DATE", help="Only claims with a date of service on or after DATE.")
@click.option("--until", callback=_date, metavar="DATE", help="Only claims with a date of service on or before DATE.")
@click.option("--payer-id", "payer_ids", multiple=True, metavar="ID", help="Only claims to this payer id (2010BB NM109; repeatable).")
@click.option("--provider", "npis", multiple=True, metavar="NPI", help="Only claims whose billing or rendering NPI is this (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=f"Report file (default: {DEFAULT_REPORT}; - for standard output).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Report format (default: html, or the `format` setting).")
@click.option("--payer", help="Force this payer profile for every claim.")
@eligibility_option
@click.option("--data-dir", type=click.Path(file_okay=False), help="Reference-data directory (also CLAIMSCRUB_DATA_DIR).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Add a rule pack directory.")
@click.option("--ledger", type=click.Path(dir_okay=False), help="Ledger database (default: ledger.sqlite3 in the data directory).")
@click.option("--no-ledger", is_flag=True, help="Do not record this run in the ledger.")
@click.option("--ledger-phi", is_flag=True, help="Store member ids in the ledger as text instead of salted hashes.")
@click.option("--redact", is_flag=True, help="Mask patient names, member ids and birth dates in the report.")
@click.option("--verify", is_flag=True, help="Also run the pure-Python reference evaluator and report any disagreement.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=None,
              help="Exit 1 when a claim has a finding at or above this (default: never, or the `fail_on` setting: "
                   "an audit reports; by default it does not gate).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line and no summary on standard error.")
@click.option("--remits", "remit_paths", multiple=True, metavar="FILE",
              help="835 remittance file or directory: correlate the findings with the payers' denials (repeatable).")
@click.option("--denial-map", type=click.Path(exists=True, dir_okay=False), metavar="YAML",
              help="Finding categories / rules -> CARC families (default: the packaged carc_map.yaml).")
@jobs_option
@progress_option
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a Dask cluster (scheduler address, or 'local' for a local cluster of --jobs workers); "
                   "needs pip install 'claimscrub[dask]'. See docs/performance.md.")
def run(paths, since, until, payer_ids, npis, output, fmt, payer, eligibility, data_dir, rule_dirs, ledger, no_ledger,
        ledger_phi, redact, verify, fail_on, quiet, remit_paths, denial_map, jobs, show_progress, dask_address):
    """Audit the claims in PATH... (files, directories walked recursively, .gz files)."""
    from scrubber.cli.audit_inputs import ClaimFilter, read_all, walk
    from scrubber.cli.progress import exit_interrupted, progress_for
    from scrubber.pipeline import run_scrub

    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
    for p in paths:
        if p != "-" and not os.path.exists(p):
            raise click.UsageError(f"{p}: no such file or directory")
    files = walk(paths)
    denial_run = None
    if remit_paths:
        from scrubber.cli.audit_remits import DenialRun, TrackingFilter

        claim_filter = TrackingFilter(since, until, frozenset(payer_ids), frozenset(npis))
        denial_run = DenialRun(remit_paths, denial_map, claim_filter)
    else:
        claim_filter = ClaimFilter(since, until, frozenset(payer_ids), frozenset(npis))
    progress = progress_for(show_progress, quiet)
    if progress.enabled:
        from scrubber.cli.progress import estimate_claims

        progress.total = estimate_claims(files)
    prepared = prepare(payer, data_dir, rule_dirs, eligibility, verify, ledger)
    fmt = _audit_setting(prepared.settings, "format", fmt, "html")
    fail_on = _audit_setting(prepared.settings, "fail_on", fail_on, "never")
    if denial_run is not None:
        from scrubber.cli.audit_remits import loaded_rules

        denial_run.loaded_rules = loaded_rules(prepared)
    from scrubber.cli.audit_ledger import open_run_ledger

    # Opened before the first claim: frequency limits count the services of earlier runs it kept.
    run_ledger = None if no_ledger else open_run_ledger(prepared, ledger_path(ledger, prepared.settings), ledger_phi)
    try:
        on_claim = progress.update
        if denial_run is not None:
            def on_claim(record, claim_result):
                progress.update(record, claim_result)
                denial_run.on_claim(record, claim_result)
        opts = prepared.options(files, on_claim=on_claim)
        opts.run_extra = {**opts.run_extra, "mode": "audit"}
        if claim_filter.active:
            opts.run_extra["filters"] = claim_filter.describe()
        opts.jobs, opts.reader_state = jobs, claim_filter
        if fmt == "json" and not redact:  # each claim's JSON rendered where it is evaluated
            from scrubber.report.json_report import claim_text

            opts.claim_json = claim_text
        if fmt == "html":  # the report's totals and tables gathered as the results are made
            from scrubber.report.html_digest import HtmlDigest

            opts.html_digest = HtmlDigest()
        if denial_run is not None:  # the denial join's keys (ids, codes, dates, amounts) come back from the workers
            from scrubber.denials.claims import claim_key

            opts.claim_keys = claim_key
        if dask_address:
            from scrubber.dask_run import run_dask, tracker_of
            from scrubber.pipeline import new_result

            try:
                result = run_dask(opts, prepared.settings, files, claim_filter, dask_address, jobs, new_result(opts),
                                  tracker_of(prepared))
            except RuntimeError as exc:
                raise click.UsageError(str(exc)) from None
        else:
            result = run_scrub(opts, records_factory=lambda: read_all(files, _read, claim_filter))
    except KeyboardInterrupt:  # Ctrl-C: the workers are stopped; after the clean-up below, one line and exit 130
        result = None
    finally:
        progress.close()
        prepared.close()
    if result is None:
        exit_interrupted(progress, run_ledger)
    if claim_filter.active:
        result.run.extra["claims_excluded_by_filters"] = claim_filter.excluded
    if denial_run is not None:
        denial_run.finish(result)
    _write_report(result, fmt, output, redact, opts.html_digest)
    if run_ledger is not None:
        run_id = run_ledger.record(result, "audit", {"paths": list(paths), **claim_filter.describe(), "format": fmt})
        if not quiet:
            click.echo(f"recorded as run {run_id} in {run_ledger.path}", err=True)
    if not quiet:
        s = result.summary()
        click.echo(f"{s['claims_total']:,} claims audited: {s['claims_flagged']:,} flagged, {s['claims_unreadable']:,} "
                   f"unreadable; charges at risk {s['charges_at_risk']:,.2f}"
                   + (f"; {claim_filter.excluded:,} claims outside the filters" if claim_filter.active else ""), err=True)
        if denial_run is not None:
            click.echo(denial_run.summary_line(result), err=True)
        from scrubber.idle import idle_by_reason

        for reason, ids in idle_by_reason(result.run.extra.get("rules_idle")):
            click.echo(f"not run ({len(ids)} rule{'s' if len(ids) != 1 else ''}: {', '.join(ids)}): {reason}", err=True)
    from scrubber.cli.scrub_cmd import exit_code_for

    sys.exit(exit_code_for(result, fail_on))


def _audit_setting(settings, name: str, given, audit_default):
    """The command line, else the setting when a setup.cfg / claimscrub.toml / environment sets it,
    else audit's own default (an HTML report that does not gate, unlike scrub's text and error)."""
    if given is not None:
        return given
    valued = settings.values[name]
    return audit_default if valued.origin == "packaged default" else valued.value


def _write_report(result, fmt, output, redact, digest=None) -> None:
    from scrubber.report import render

    if output == "-":
        render(result, fmt, sys.stdout, redact=redact, digest=digest)
        return
    path = output or (DEFAULT_REPORT if fmt == "html" else None)
    if path is None:
        render(result, fmt, sys.stdout, redact=redact, digest=digest)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            render(result, fmt, out, redact=redact, title="claimscrub audit", digest=digest)
    except OSError as e:
        raise click.UsageError(f"cannot write the report {path}: {e.strerror}") from None
    click.echo(f"report written to {path}", err=True)


def _open_ledger(path):
    from scrubber.ledger import Ledger, LedgerError

    target = ledger_path(path)
    if not os.path.exists(target):
        raise click.UsageError(f"no ledger at {target}: run `claimscrub audit` or `claimscrub scrub --ledger` first")
    try:
        return Ledger(target)
    except LedgerError as e:
        raise click.UsageError(str(e)) from None


def _ledger_call(fn):
    from scrubber.ledger import LedgerError

    try:
        return fn()
    except LedgerError as e:
        raise click.UsageError(str(e)) from None


_ledger_option = click.option("--ledger", type=click.Path(dir_okay=False), help="Ledger database (default: in the data directory).")
_json_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@audit.command()
@_ledger_option
@_json_option
@click.option("-n", "--limit", type=int, default=None, help="Show only the newest N runs.")
def history(ledger, fmt, limit):
    """List the recorded runs, newest first."""
    from scrubber.cli.audit_show import print_history

    with _open_ledger(ledger) as db:
        print_history(db.runs(limit), fmt, click.echo,
                      inputs_of=lambda run_id: [i["path"] for i in db.run_info(run_id)["inputs"]])


@audit.command()
@click.argument("run_ref", metavar="RUN")
@_ledger_option
@_json_option
def show(run_ref, ledger, fmt):
    """Show one run: inputs, rule packs, reference data, counts, totals by rule."""
    from scrubber.cli.audit_show import print_run

    with _open_ledger(ledger) as db:
        _ledger_call(lambda: print_run(db, run_ref, fmt, click.echo))


@audit.command()
@click.argument("run_a", metavar="RUN_A")
@click.argument("run_b", metavar="RUN_B")
@_ledger_option
@_json_option
def diff(run_a, run_b, ledger, fmt):
    """Findings that appeared and disappeared from RUN_A to RUN_B, and what changed between them."""
    from scrubber.cli.audit_show import print_diff
    from scrubber.ledger.diff import diff_runs

    with _open_ledger(ledger) as db:
        d = _ledger_call(lambda: diff_runs(db, run_a, run_b))
        print_diff(d, fmt, click.echo)

