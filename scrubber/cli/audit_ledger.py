"""The ledger of one `scrub` or `audit` run: opened before the first claim, recorded after the last.

Opened first because the run reads from it: payer frequency limits ("one preventive visit per
365 days") count the services earlier runs kept in the ledger, not only this batch's. Recorded
last with the services this run counted, so the next run sees them. A ledger that cannot be
opened or written is a usage error (exit 2), before any claim is scrubbed when it cannot be opened.
"""
from __future__ import annotations

import sys
from typing import Optional

import click

from scrubber import exitcodes


class RunLedger:
    """A ledger in use by one run (``--no-ledger`` means no RunLedger at all).

    The database is open only to read the history and, at the end, to record the run: the engine
    forks its workers in between, and an SQLite connection must not cross a fork.
    """

    def __init__(self, path: str, phi: bool = False):
        self.path = path
        self.phi = phi
        self.tracker = None

    def _open(self):
        from scrubber.ledger import Ledger, LedgerError

        try:
            return Ledger(self.path)
        except LedgerError as exc:
            _fail(exc)

    def seed_frequency(self, prepared) -> None:
        """Let ``prepared``'s run count frequency limits over the ledger's history (keys: its salted HMACs)."""
        from scrubber.fields.frequency import FrequencyTracker
        from scrubber.ledger import LedgerError

        with self._open() as db:
            self.path = db.path
            count_with = getattr(prepared, "count_frequency_with", None)
            if count_with is None:  # a run without the rule engine (a stand-in evaluator): nothing counts limits
                return
            try:
                history = db.frequency_history()
            except LedgerError as exc:
                _fail(exc)
            self.tracker = FrequencyTracker(history, keys=db.keys())
        count_with(self.tracker)

    def record(self, result, kind: str, options: Optional[dict] = None) -> int:
        """Record the run (with the services it counted under frequency limits); exit 2 when it cannot."""
        from scrubber.ledger import LedgerError

        with self._open() as db:
            try:
                return db.record_run(result, kind=kind, phi=self.phi, options=options,
                                     services=self.tracker.counted if self.tracker is not None else ())
            except LedgerError as exc:
                _fail(exc)


def _fail(exc) -> None:
    click.echo(f"claimscrub: {exc}", err=True)
    sys.exit(exitcodes.USAGE)


def open_run_ledger(prepared, path: Optional[str], phi: bool) -> Optional[RunLedger]:
    """The run's ledger at ``path`` seeded into ``prepared`` (None: no ledger); stops ``prepared``'s
    engine before exiting 2 when the ledger cannot be opened or read."""
    if not path:
        return None
    ledger = RunLedger(path, phi)
    try:
        ledger.seed_frequency(prepared)
    except SystemExit:
        prepared.close()
        raise
    return ledger
