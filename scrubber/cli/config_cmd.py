"""`claimscrub config show`: every effective value and where it came from."""
from __future__ import annotations

import json
import sys

import click

from scrubber import exitcodes


def _fmt(value) -> str:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return "-" if value is None else str(value)


@click.group()
def config():
    """Inspect the configuration (packaged defaults < payer profile < setup.cfg / claimscrub.toml < environment < command line)."""


@config.command("show")
@click.option("--payer", "payer", help="Show the effective values for this payer profile (default: the `payer` setting, else default).")
@click.option("--profiles", "profile_dirs", multiple=True, type=click.Path(file_okay=False), help="Extra payer profile directory (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(payer, profile_dirs, fmt):
    """Print every setting and payer-profile value with its origin (file:line, environment or command line)."""
    from scrubber.config import ConfigError, load_profiles, load_settings

    try:
        settings = load_settings(cli={"payer": payer, "profile_dirs": profile_dirs})
        profiles = load_profiles(settings=settings)
        profile = profiles.get(settings.get("payer") or "default")
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(exitcodes.USAGE)
    for warning in settings.warnings:
        click.echo(f"warning: {warning}", err=True)
    settings_rows = [r for r in settings.rows() if not r[0].startswith("params.")]
    profile_rows = profile.effective()
    if fmt == "json":
        doc = {
            "settings": [{"key": k, "value": v, "origin": o} for k, v, o in settings_rows],
            "profile": {
                "id": profile.id,
                "sha256": profile.sha256,
                "values": [{"key": k, "value": v, "origin": o} for k, v, o in profile_rows],
            },
            "profiles_available": profiles.ids(),
        }
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    click.echo("# order: packaged defaults < payer profile < setup.cfg [claimscrub] / claimscrub.toml < environment < command line")
    click.echo("[settings]")
    for key, value, origin in settings_rows:
        click.echo(f"{key} = {_fmt(value)}    # {origin}")
    click.echo(f"\n[payer profile {profile.id}]  sha256 {profile.sha256}")
    if profile.example:
        click.echo("# NOTE: this profile's values are EXAMPLES, not a real payer's policy")
    for key, value, origin in profile_rows:
        click.echo(f"{key} = {_fmt(value)}    # {origin}")
    click.echo(f"\n# profiles available: {', '.join(profiles.ids())}")
