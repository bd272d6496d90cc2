"""`claimscrub refdata`: import CMS / CDC reference files into the data directory and list what is loaded."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from scrubber import exitcodes
from scrubber.refdata.importers import KINDS


def _data_dir(option: Optional[str]) -> Path:
    """The data directory every command uses: ``--data-dir`` > environment > setup.cfg /
    claimscrub.toml > XDG default, resolved by ``load_settings`` like scrub and config show do."""
    from scrubber.config import ConfigError, load_settings

    try:
        return Path(load_settings(cli={"data_dir": option}).get("data_dir")).expanduser()
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(exitcodes.USAGE)


@click.group()
def refdata():
    """Import and list reference data (ICD-10-CM, NCCI PTP, MUE, HCPCS, MPFS RVU file)."""


@refdata.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False), help="Reference-data directory (default: the data_dir setting).")
@click.option("--edition", help="Edition label when the file name does not say it: 2026Q1, FY2025, 2026-04-01.")
@click.option("--setting", type=click.Choice(["practitioner", "hospital"]),
              help="NCCI PTP table setting when the file name does not say it.")
def import_cmd(kind, file, data_dir, edition, setting):
    """Import FILE as KIND. Importing the same file again changes nothing."""
    from scrubber.refdata.errors import RefDataError
    from scrubber.refdata.importers import import_file
    from scrubber.refdata.store import Store

    try:
        store = Store(_data_dir(data_dir))
        try:
            label, where, rows, done = import_file(store, kind, file, edition, setting)
        finally:
            store.close()
    except RefDataError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.USAGE)
    what = f"{kind}{' ' + where if where else ''} edition {label}"
    if done:
        click.echo(f"imported {rows} rows of {what} from {file.name}")
    else:
        click.echo(f"{file.name} is already imported ({what}, {rows} rows); nothing to do")


@refdata.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Reference-data directory (default: the data_dir setting).")
def list_cmd(data_dir):
    """Show each loaded table: kind, setting, edition, rows, sha256 and when it was imported."""
    from scrubber.refdata.errors import RefDataError
    from scrubber.refdata.store import Store

    where = _data_dir(data_dir)
    try:
        store = Store(where)
        try:
            eds = store.editions()
        finally:
            store.close()
    except RefDataError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.USAGE)
    from scrubber.refdata.mce import mce_list_line

    click.echo(f"data directory: {where}")
    if not eds:
        click.echo("no reference tables imported yet (ICD-10-CM April 2026 is built in and loads on first use)")
        click.echo(mce_list_line())
        return
    header = ("kind", "setting", "edition", "effective", "rows", "sha256", "imported")
    rows = [(e.kind + (" (built in)" if e.builtin else ""), e.setting or "-", e.edition,
             e.effective_from.isoformat() if e.effective_from else "-", str(e.rows), e.sha256[:16], e.imported_at)
            for e in eds]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for r in [header, *rows]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    click.echo(mce_list_line())  # after the table: scripts that read the table keep working
