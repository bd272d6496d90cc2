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
