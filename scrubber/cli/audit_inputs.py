"""What `claimscrub audit` reads: files walked recursively, `.gz` decompressed, claims filtered.

Kept apart from the click wiring so it is testable and reusable. ``.gz`` files are decompressed
to a private temporary file (named as the original without ``.gz``, so the reader sniffs it
the same way) and every path the reader reports is put back to the ``.gz`` path the user gave.
Filters (date of service, payer id, provider NPI) apply to readable claims only: an unreadable
claim has no trustworthy date, payer or provider, so it is always kept and listed.
"""
from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator, Optional

from scrubber.model import Claim, ClaimRecord, RunError


def walk(paths: Iterable[str]) -> list[str]:
    """Every file under ``paths`` (directories recursively, sorted, hidden files skipped); ``-`` kept."""
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(root, name) for name in sorted(files) if not name.startswith("."))
        else:
            out.append(p)
    return out


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


def _relabel(rec, real: str, temp: str):
    """A record read from the temporary file ``temp`` as if read from ``real``."""
    if isinstance(rec, RunError):
        return dataclasses.replace(rec, path=real) if rec.path == temp else rec
    source = dataclasses.replace(rec.source, path=real) if rec.source.path == temp else rec.source
    claim = rec.claim
    if claim is not None and claim.source.path == temp:
        claim = dataclasses.replace(claim, source=dataclasses.replace(claim.source, path=real))
    error = rec.error
    if error is not None and error.path == temp:
        error = dataclasses.replace(error, path=real)
    return dataclasses.replace(rec, source=source, claim=claim, error=error)


def read_all(files: list[str], read: Reader, claim_filter: Optional[ClaimFilter] = None) -> Iterator:
    """Records of every file in order, ``.gz`` included, with the filter applied to readable claims."""
    claim_filter = claim_filter or ClaimFilter()
    with tempfile.TemporaryDirectory(prefix="claimscrub-audit-") as tmp:
        for path in files:
            if path.endswith(".gz"):
                temp = os.path.join(tmp, os.path.basename(path)[:-3] or "input")
                try:
                    with gzip.open(path, "rb") as src, open(temp, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                except (OSError, EOFError) as e:
                    yield RunError("unreadable-input", f"cannot decompress: {e}", path, None)
                    continue
                records = (_relabel(r, path, temp) for r in read([temp]))
            else:
                temp = None
                records = read([path])
            for rec in records:
                if (isinstance(rec, ClaimRecord) and rec.claim is not None and claim_filter.active
                        and not claim_filter.keeps(rec.claim)):
                    claim_filter.excluded += 1
                    continue
                yield rec
            if temp is not None and os.path.exists(temp):
                os.unlink(temp)
