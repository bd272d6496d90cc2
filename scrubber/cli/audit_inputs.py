"""What `claimscrub audit` reads: files walked recursively (the readers' walk, which skips
dotfiles and documentation), gzip files read transparently by the readers, claims filtered.

Kept apart from the click wiring so it is testable and reusable. Filters (date of service,
payer id, provider NPI) apply to readable claims only: an unreadable claim has no trustworthy
date, payer or provider, so it is always kept and listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator, Optional

from scrubber.model import Claim, ClaimRecord


def walk(paths: Iterable[str]) -> list[str]:
    """Every file under ``paths``, in the order the readers read them (``-`` kept)."""
    from scrubber.readers import input_files

    return input_files(paths)


@dataclass
class ClaimFilter:
    """Which readable claims an audit keeps. Empty sets and None dates mean no restriction."""

    since: Optional[date] = None
    until: Optional[date] = None
    payer_ids: frozenset[str] = frozenset()
    npis: frozenset[str] = frozenset()
    excluded: int = field(default=0, compare=False)

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.payer_ids or self.npis)

    def describe(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "payer_ids": sorted(self.payer_ids),
            "provider_npis": sorted(self.npis),
        }

    def keeps(self, claim: Claim) -> bool:
        if self.since or self.until:
            start = claim.service_from or claim.statement_from
            end = claim.service_to or claim.statement_to or start
            if start is None:
                return False  # no date of service: cannot be shown to fall in the period
            if self.until and start > self.until:
                return False
            if self.since and (end or start) < self.since:
                return False
        if self.payer_ids and not (claim.payer and claim.payer.payer_id in self.payer_ids):
            return False
        if self.npis and not (_npis(claim) & self.npis):
            return False
        return True


def _npis(claim: Claim) -> set[str]:
    """Billing and rendering NPIs of the claim and of its lines (a line may name its own renderer)."""
    out = {p.npi for p in claim.providers if p.npi and p.role in ("billing", "rendering")}
    for line in claim.lines:
        out.update(p.npi for p in line.providers if p.npi and p.role == "rendering")
    return out


Reader = Callable[[list[str]], Iterable]


def read_all(files: list[str], read: Reader, claim_filter: Optional[ClaimFilter] = None) -> Iterator:
    """Records of every file in order, with the filter applied to readable claims (counted when dropped)."""
    claim_filter = claim_filter or ClaimFilter()
    for rec in read(files):
        if (isinstance(rec, ClaimRecord) and rec.claim is not None and claim_filter.active
                and not claim_filter.keeps(rec.claim)):
            claim_filter.excluded += 1
            continue
        yield rec
