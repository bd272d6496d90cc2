"""`claimscrub ack`: the 999 and 277CA of a saved JSON result; ``write_acks`` is shared with `scrub`."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Optional

import click

from scrubber import exitcodes


def write_acks(claims, errors, ack_999: Optional[str], ack_277ca: Optional[str], fail_on: str, stamp=None) -> list[str]:
    """Write the asked-for acknowledgements; one summary line per file written (for stderr).

    Both files share one AckStamp, so their control numbers do not collide."""
    from scrubber.writers.ack277ca import write_277ca
    from scrubber.writers.ack999 import write_999
    from scrubber.writers.ack_x12 import AckStamp

    stamp = stamp or AckStamp()
    lines = []
    if ack_999:
        with open(ack_999, "w", encoding="ascii", errors="replace", newline="") as out:
            n = write_999(claims, errors, out, stamp)
        lines.append(f"999: {n['transactions']} transaction set(s) in {n['interchanges']} interchange(s) acknowledged -> {ack_999}")
        if n["not_x12"]:
            lines.append(f"999: {n['not_x12']} JSON claim(s) came from no X12 interchange and are not in it")
    if ack_277ca:
        with open(ack_277ca, "w", encoding="ascii", errors="replace", newline="") as out:
            n = write_277ca(claims, errors, out, fail_on, stamp)
        lines.append(f"277CA: {n['claims']} claim(s) acknowledged -> {ack_277ca}")
        if n["not_x12"]:
            lines.append(f"277CA: {n['not_x12']} JSON claim(s) came from no X12 interchange and are not in it")
    return lines


def _stamp(date: Optional[str], first_control: Optional[int]):
    from scrubber.writers.ack_x12 import AckStamp

    when = datetime.now(timezone.utc)
    if date:
        try:
            when = datetime.fromisoformat(date)
        except ValueError:
            raise click.BadParameter(f"{date!r} is not an ISO date-time (2026-01-31T09:30)", param_hint="--date")
    return AckStamp(when, first_control)


@click.command("ack")
@click.argument("result", type=click.Path(exists=True, dir_okay=False))
@click.option("--999", "ack_999", type=click.Path(dir_okay=False, writable=True), help="Write the 999 implementation acknowledgment here.")
@click.option("--277ca", "ack_277ca", type=click.Path(dir_okay=False, writable=True), help="Write the 277CA claim acknowledgment here (re-reads the scrubbed 837s for names).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True,
              help="Lowest severity that rejects a claim in the 277CA (use the scrub's --fail-on).")
@click.option("--date", help="The acknowledgements' own date-time (ISO 8601; default now).")
@click.option("--first-control", type=click.IntRange(1, 999_999_999), help="First of the acknowledgements' own control numbers (default: from the clock).")
def ack(result, ack_999, ack_277ca, fail_on, date, first_control):
    """Write the 999 and / or 277CA of RESULT, a saved `scrub --format json` result.

    Exit codes: 0 written; 2 a usage error, RESULT is not a result, or (for --277ca) an
    acknowledged 837 is missing or changed since it was scrubbed.
    """
    from scrubber.writers.ack_load import SavedResultError, attach_details, load_result

    if not ack_999 and not ack_277ca:
        raise click.UsageError("give --999 FILE and / or --277ca FILE")
    stamp = _stamp(date, first_control)
    try:
        claims, errors, inputs = load_result(result)
    except SavedResultError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.USAGE)
    claims, problems = attach_details(claims, inputs)
    for p in problems:
        click.echo(f"{'error' if ack_277ca else 'warning'}: {p}", err=True)
    if problems and ack_277ca:
        click.echo("the 277CA names each claim's patient and billing provider, which only the 837 holds: nothing written", err=True)
        sys.exit(exitcodes.USAGE)
    for line in write_acks(claims, errors, ack_999, ack_277ca, fail_on, stamp):
        click.echo(line, err=True)
    sys.exit(exitcodes.OK)
