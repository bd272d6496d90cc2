"""A progress line on standard error for long runs: claims read, rate, flagged so far.

Shown only when standard error is a terminal (never in a log file or CI) and not ``--quiet``.
It redraws at most ten times a second so drawing never costs more than the work it reports.
"""
from __future__ import annotations

import sys
import time
from typing import IO, Optional

from scrubber import exitcodes


class Progress:
    def __init__(self, enabled: Optional[bool] = None, stream: Optional[IO[str]] = None, label: str = "claims"):
        self.stream = stream or sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.label = label
        self.count = 0
        self.flagged = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self.total: Optional[int] = None  # an estimate of the claims to come (estimate_claims), for the ETA

    def update(self, record=None, claim_result=None) -> None:
        """The pipeline's on_claim hook: one more claim done."""
        self.count += 1
        if claim_result is not None and claim_result.status == "flagged":
            self.flagged += 1
        if self.enabled:
            now = time.monotonic()
            if now - self._drawn >= 0.1:
                self._drawn = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.count / elapsed
        eta = ""
        if self.total and rate > 0 and self.count < self.total:
            left = (self.total - self.count) / rate
            eta = f"  ETA {int(left // 60)}:{int(left % 60):02d}"
        self.stream.write(f"\r{self.count:,} {self.label}  {rate:,.0f}/s  "
                          f"{self.flagged:,} flagged  {elapsed:,.0f}s{eta} ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False  # drawn once, whatever path closes it


def estimate_claims(paths) -> Optional[int]:
    """About how many claims the files hold, for an ETA: the CLM segments of plain X12 files, counted
    with each file's own element separator (ISA byte 4); None when any file is compressed or not X12.
    A count of bytes, not a parse: nothing is read into the claims, and no value is kept."""
    total = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                head = f.read(4096)
                start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
                if not start.startswith(b"ISA") or len(start) < 4:
                    return None
                needle = b"CLM" + start[3:4]
                carry = b""
                f.seek(0)
                for block in iter(lambda: f.read(1 << 22), b""):
                    data = carry + block
                    total += data.count(needle)
                    carry = data[-(len(needle) - 1):]  # a needle split across blocks is counted once
        except OSError:
            return None
    return total


def progress_option(f):
    """``--progress / --no-progress`` for scrub and audit: the line is drawn by default only when
    standard error is a terminal and ``-q`` is not given; ``--progress`` draws it anyway (a log)."""
    import click

    return click.option("--progress/--no-progress", "show_progress", default=None,
                        help="A progress line on standard error (claims, claims/s, ETA; no patient data). "
                             "Default: on when standard error is a terminal and -q is not given.")(f)


def progress_for(show_progress: Optional[bool], quiet: bool) -> "Progress":
    """The run's Progress: ``--progress`` / ``--no-progress`` when given, else off with -q, else on a terminal."""
    return Progress(enabled=show_progress if show_progress is not None else (False if quiet else None))


INTERRUPTED = exitcodes.INTERRUPTED  # 130: 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C


def exit_interrupted(progress: Optional["Progress"], run_ledger) -> None:
    """Ctrl-C: one line on standard error instead of a traceback, and exit 130. The workers are
    stopped by then (``scrubber.jobs``); no report is written, and a ledger keeps the run's row as
    begun (``Ledger.begin_run``), which `audit history` lists as INCOMPLETE."""
    done = progress.count if progress is not None else 0
    where = (f"; the ledger {run_ledger.path} lists the run as INCOMPLETE"
             if run_ledger is not None and getattr(run_ledger, "run_id", None) is not None else "")
    sys.stderr.write(f"claimscrub: interrupted after {done:,} claims; no report was written{where}\n")
    sys.stderr.flush()
    raise SystemExit(INTERRUPTED)
