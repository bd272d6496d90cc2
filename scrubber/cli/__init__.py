"""The `claimscrub` command: click wiring only, no logic.

Sub-commands live in sibling modules and are imported only when invoked, so
`--help` and `--version` stay instant (no durable-rules, lxml or code sets loaded).
"""
from __future__ import annotations

import importlib

import click

from scrubber import __version__

# command name -> (module, attribute, one-line help)
_COMMANDS = {
    "scrub": ("scrubber.cli.scrub_cmd", "scrub", "Scrub 837 / JSON claims before submission."),
    "audit": ("scrubber.cli.audit_cmd", "audit", "Audit past claims in bulk; the run ledger."),
    "rules": ("scrubber.cli.rules_cmd", "rules", "Rule author tools: lint, test, list, explain, docs, serve (the playground)."),
    "refdata": ("scrubber.cli.refdata_cmd", "refdata", "Import and list reference data (ICD-10-CM, NCCI, MUE, HCPCS)."),
    "config": ("scrubber.cli.config_cmd", "config", "Show the effective configuration and where each value came from."),
    "ack": ("scrubber.cli.ack_cmd", "ack", "Write the 999 / 277CA acknowledgements of a saved JSON result."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(_COMMANDS)

    def get_command(self, ctx, name):
        spec = _COMMANDS.get(name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        return getattr(module, spec[1])

    def format_commands(self, ctx, formatter):
        rows = [(name, spec[2]) for name, spec in _COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _print_version(ctx, param, value):
    """``--version``: the version, and whether the compiled X12 reader is in use."""
    if not value or ctx.resilient_parsing:
        return
    from scrubber.readers.x12 import implementation

    click.echo(f"claimscrub, version {__version__}")
    click.echo(implementation())
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version (and which X12 reader is installed) and exit.")
def cli():
    """claimscrub: rules-based healthcare claim scrubber and compliance auditor.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 usage, configuration, rule-file or reference-data error, 3 an input could
    not be read (missing or unreadable file, not claims, empty directory).
    """


def main(argv=None):
    cli.main(args=argv, prog_name="claimscrub")
