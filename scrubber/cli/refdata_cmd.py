"""`claimscrub refdata`: import CMS / CDC reference files into the data directory and list what is loaded."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from scrubber import exitcodes

KINDS = ["ncci-ptp", "mue", "icd10cm", "hcpcs"]


@click.group()
def refdata():
    """Import and list reference data (ICD-10-CM, NCCI PTP, MUE, HCPCS)."""


@refdata.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="CLAIMSCRUB_DATA_DIR", help="Reference-data directory.")
@click.option("--edition", help="Edition label when the file name does not say it: 2026Q1, FY2025, 2026-04-01.")
@click.option("--setting", type=click.Choice(["practitioner", "hospital"]),
              help="NCCI PTP table setting when the file name does not say it.")
def import_cmd(kind, file, data_dir, edition, setting):
    """Import FILE as KIND. Importing the same file again changes nothing."""
    from scrubber.refdata.errors import RefDataError
    from scrubber.refdata.store import Store, resolve_data_dir

    try:
        store = Store(resolve_data_dir(data_dir))
        try:
            if kind == "ncci-ptp":
                from scrubber.refdata.ncci import import_ptp

                label, where, rows, done = import_ptp(store, file, edition, setting)
            elif kind == "mue":
                from scrubber.refdata.ncci import import_mue

                label, where, rows, done = import_mue(store, file, edition)
            elif kind == "icd10cm":
                from scrubber.refdata.icd10cm import import_icd10cm

                label, rows, done = import_icd10cm(store, file, edition)
                where = ""
            else:
                from scrubber.refdata.hcpcs import import_hcpcs

                label, rows, done = import_hcpcs(store, file, edition)
                where = ""
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
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="CLAIMSCRUB_DATA_DIR", help="Reference-data directory.")
def list_cmd(data_dir):
    """Show each loaded table: kind, setting, edition, rows, sha256 and when it was imported."""
    from scrubber.refdata.errors import RefDataError
    from scrubber.refdata.store import Store, resolve_data_dir

    try:
        store = Store(resolve_data_dir(data_dir))
        try:
            eds = store.editions()
        finally:
            store.close()
    except RefDataError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.USAGE)
    from scrubber.refdata.mce import mce_list_line

    click.echo(f"data directory: {resolve_data_dir(data_dir)}")
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
