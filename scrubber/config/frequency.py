"""Frequency limits across a batch (and earlier history): "at most N of these per D days per member".

A profile's ``frequency_limits`` entries (``{procedures, max, per_days, scope: member}``)
cannot be judged from one claim: the earlier services live in other claims of the
batch or in the ledger. ``FrequencyTracker`` remembers, per member and limit, the
dates of the services it has seen, and for each new line says whether it goes
over the limit.

The window, exactly: a service on date ``d`` is over the limit when at least
``max`` services already counted fall on dates ``x`` with ``d - per_days < x <= d``.
With one preventive visit per 365 days, a visit on 2025-01-01 lets the next one
through on 2026-01-01 (365 days later) and flags one on 2025-12-31. Services are
counted in the order claims are given (the batch's order, after any seeded
history), so of two services inside one window the later-read one is flagged.
"""
from __future__ import annotations

import bisect
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping, Optional

from scrubber.config.payer_params import code_in_list

# (value-set name, code) -> member?  Supplied by whoever owns value sets (the engine).
SetResolver = Callable[[str, str], bool]


def _limit_key(limit: Mapping) -> tuple:
    procs = limit["procedures"]
    return (tuple(procs) if isinstance(procs, (list, tuple)) else str(procs), int(limit["max"]), int(limit["per_days"]))


def _matches(code: Optional[str], procedures, resolve: Optional[SetResolver]) -> bool:
    if not code:
        return False
    if isinstance(procedures, (list, tuple)):
        return code_in_list(code, procedures)
    return bool(resolve and resolve(str(procedures), code))


def _member(claim) -> Optional[str]:
    member = claim.subscriber.member_id if claim.subscriber else None
    return member.strip().upper() if member else None


class FrequencyTracker:
    """Service dates per (member, limit) seen so far in a run."""

    def __init__(self) -> None:
        self._dates: dict[tuple, list[date]] = {}

    def seed(self, member_id: str, limit: Mapping, dates: Iterable[date]) -> None:
        """Add history (e.g. from the ledger) for ``member_id`` under ``limit``."""
        bucket = self._dates.setdefault((member_id.strip().upper(), _limit_key(limit)), [])
        for d in dates:
            bisect.insort(bucket, d)

    def check_and_add(self, claim, limits: Iterable[Mapping], resolve: Optional[SetResolver] = None) -> list[dict]:
        """Lines of ``claim`` over a limit (one dict each), then count the claim's services."""
        member = _member(claim)
        if member is None:
            return []
        over: list[dict] = []
        for limit in limits or ():
            key = (member, _limit_key(limit))
            bucket = self._dates.setdefault(key, [])
            per_days, most = int(limit["per_days"]), int(limit["max"])
            for line in claim.lines:
                if not _matches(line.code, limit["procedures"], resolve):
                    continue
                d = line.date_from or claim.service_from
                if d is None:
                    continue
                window_start = d - timedelta(days=per_days - 1)
                prior = bisect.bisect_right(bucket, d) - bisect.bisect_left(bucket, window_start)
                if prior >= most:
                    over.append({
                        "line": line.number, "code": line.code, "max": most, "per_days": per_days,
                        "prior_count": prior, "window_start": window_start.isoformat(), "dos": d.isoformat(),
                    })
                bisect.insort(bucket, d)
        return over
