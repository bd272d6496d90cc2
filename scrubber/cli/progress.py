"""A progress line on standard error for long runs: claims read, rate, flagged so far.

Shown only when standard error is a terminal (never in a log file or CI) and not ``--quiet``.
It redraws at most ten times a second so drawing never costs more than the work it reports.
"""
from __future__ import annotations

import sys
import time
from typing import IO, Optional


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
        self.stream.write(f"\r{self.count:,} {self.label}  {self.count / elapsed:,.0f}/s  "
                          f"{self.flagged:,} flagged  {elapsed:,.0f}s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
