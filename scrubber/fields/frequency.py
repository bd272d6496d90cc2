"""Frequency limits across a batch and earlier runs: "at most N of these per D days per member".

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

History from earlier runs (``PastService``, read from the ledger by
``scrubber.ledger.frequency``) is keyed by pseudonyms, never by the member id or claim
id themselves: the tracker is given ``keys`` that turn a member id and a claim id into
the same salted hashes the ledger stored. A claim scrubbed again (same claim id) does
not count against itself: its earlier-run services leave the count when it is read,
and its services of this run take their place. ``counted`` lists this run's services
under a limit: exactly what the ledger keeps for later runs.
"""
from __future__ import annotations

import bisect
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping, NamedTuple, Optional, Protocol

from scrubber.fields.common import member_id_key, normalised_member_id
from scrubber.fields.payer_params import code_in_list

# (value-set name, code) -> member?  Supplied by whoever owns value sets (the engine).
SetResolver = Callable[[str, str], bool]


class PastService(NamedTuple):
    """One service under a frequency limit, as a run counted it: pseudonymous keys, code, date, line.

    A named tuple, not a dataclass: a ledger's history can hold hundreds of thousands of them.
    """

    member_key: str
    claim_key: str
    line: int
    code: str
    service_date: date


class ServiceKeys(Protocol):
    """How member and claim ids become the keys history is stored under (the ledger's salted hashes)."""

    def member_key(self, member_id: str) -> str: ...

    def claim_key(self, member_id: str, claim_id: str) -> str: ...


class PlainKeys:
    """Keys for a run without a ledger: the normalised ids themselves (they never leave the process)."""

    def member_key(self, member_id: str) -> str:
        return member_id

    def claim_key(self, member_id: str, claim_id: str) -> str:
        return f"{member_id}\0{claim_id}"


# The member id as frequency limits compare it: the one normalisation of "same member".
normalised_member = normalised_member_id


def _limit_key(limit: Mapping) -> tuple:
    procs = limit["procedures"]
    return (tuple(procs) if isinstance(procs, (list, tuple)) else str(procs), int(limit["max"]), int(limit["per_days"]))


def _matches(code: Optional[str], procedures, resolve: Optional[SetResolver]) -> bool:
    if not code:
        return False
    if isinstance(procedures, (list, tuple)):
        return code_in_list(code, procedures)
    return bool(resolve and resolve(str(procedures), code))


class FrequencyTracker:
    """Service dates per (member, limit) seen so far in a run, seeded lazily from earlier runs."""

    def __init__(self, history: Iterable[PastService] = (), keys: Optional[ServiceKeys] = None) -> None:
        self._keys: ServiceKeys = keys or PlainKeys()
        self._dates: dict[tuple, list[date]] = {}
        # Per (member, limit): the earlier-run dates still in the bucket, by claim key.
        self._past: dict[tuple, dict[str, list[date]]] = {}
        self._history: dict[str, list[PastService]] = {}
        for s in history:
            self._history.setdefault(s.member_key, []).append(s)
        self.counted: list[PastService] = []

    def seed(self, member_id: str, limit: Mapping, dates: Iterable[date]) -> None:
        """Add history dates for ``member_id`` under ``limit`` (they count for every claim)."""
        key = (self._keys.member_key(normalised_member(member_id) or ""), _limit_key(limit))
        bucket = self._dates.setdefault(key, [])
        for d in dates:
            bisect.insort(bucket, d)

    def _bucket(self, key: tuple, limit: Mapping, resolve: Optional[SetResolver], create: bool) -> Optional[list[date]]:
        """The dates counted for ``key``; on first use, the member's earlier-run services under the limit.
        None when nothing is counted for ``key`` and ``create`` is false: most members of a batch have
        no service under a limit, and an empty bucket for each (a key, a list, a dict of earlier-run
        dates) cost every worker ~330 bytes a member under the commercial example's preventive-visit limit."""
        if key[0] in self._history and key not in self._past:
            past = self._past[key] = {}
            bucket = self._dates.setdefault(key, [])
            for s in self._history[key[0]]:
                if _matches(s.code, limit["procedures"], resolve):
                    bisect.insort(bucket, s.service_date)
                    past.setdefault(s.claim_key, []).append(s.service_date)
        bucket = self._dates.get(key)
        if bucket is None and create:
            bucket = self._dates[key] = []
        return bucket

    def _drop_own_history(self, key: tuple, claim_key: str, bucket: list[date]) -> None:
        """A claim seen in an earlier run is read again: its earlier services give way to this run's."""
        own = self._past.get(key, {}).pop(claim_key, None)
        for d in own or ():
            del bucket[bisect.bisect_left(bucket, d)]

    def check_and_add(self, claim, limits: Iterable[Mapping], resolve: Optional[SetResolver] = None) -> list[dict]:
        """Lines of ``claim`` over a limit (one dict each), then count the claim's services."""
        member = member_id_key(claim)
        if member is None:
            return []
        member_key = self._keys.member_key(member)
        claim_key = self._keys.claim_key(member, claim.claim_id or "")
        over: list[dict] = []
        counted_lines: set[int] = set()
        for limit in limits or ():
            key = (member_key, _limit_key(limit))
            lines = [(line, line.date_from or claim.service_from) for line in claim.lines
                     if _matches(line.code, limit["procedures"], resolve)]
            lines = [(line, d) for line, d in lines if d is not None]
            bucket = self._bucket(key, limit, resolve, create=bool(lines))
            if bucket is None:
                continue
            self._drop_own_history(key, claim_key, bucket)
            per_days, most = int(limit["per_days"]), int(limit["max"])
            for line, d in lines:
                window_start = d - timedelta(days=per_days - 1)
                prior = bisect.bisect_right(bucket, d) - bisect.bisect_left(bucket, window_start)
                if prior >= most:
                    over.append({
                        "line": line.number, "code": line.code, "max": most, "per_days": per_days,
                        "prior_count": prior, "window_start": window_start.isoformat(), "dos": d.isoformat(),
                    })
                bisect.insort(bucket, d)
                if line.number not in counted_lines:
                    counted_lines.add(line.number)
                    self.counted.append(PastService(member_key, claim_key, line.number, line.code, d))
        return over
