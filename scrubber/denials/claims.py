"""The little of each audited claim that the denial correlation needs, kept while the audit runs.

Collected from the pipeline's ``on_claim`` callback so that the claims are not read twice and
nothing but ids, codes, dates, amounts and findings is held (no names, member ids or birth
dates). The 837 line item control number (2400 ``REF*6R``) is not a field of the claim model,
so it is read from the claim's own raw segments when the reader kept them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from scrubber.model import Claim, ClaimRecord, ClaimResult


@dataclass(frozen=True, slots=True)
class LineKey:
    number: int  # LX01
    code: Optional[str]
    modifiers: tuple[str, ...]
    date_from: Optional[date]
    control_number: Optional[str]  # 2400 REF*6R
    charge: Optional[Decimal]
    revenue_code: Optional[str] = None  # SV201 (837I)


@dataclass(frozen=True, slots=True)
class FindingKey:
    rule_id: str
    category: str
    severity: str
    line: Optional[int]


@dataclass(frozen=True, slots=True)
class ClaimKey:
    claim_id: str
    readable: bool
    total_charge: Optional[Decimal]
    payer: Optional[str]  # payer name, else id, as the claim results show it
    lines: tuple[LineKey, ...]
    findings: tuple[FindingKey, ...]


def line_control_numbers(claim: Claim) -> dict[int, str]:
    """LX01 -> REF*6R value from the claim's raw 2300/2400 segments (empty when not kept)."""
    raw = claim.raw
    if raw is None:
        return {}
    out: dict[int, str] = {}
    current: Optional[int] = None
    for text in raw.claim:
        parts = text.split(raw.element_sep)
        sid = parts[0].strip()
        if sid == "LX":
            try:
                current = int(parts[1])
            except (IndexError, ValueError):
                current = None
        elif sid == "REF" and current is not None and len(parts) > 2 and parts[1].strip() == "6R" and parts[2].strip():
            out.setdefault(current, parts[2].strip())
    return out


def claim_key(record: ClaimRecord, result: ClaimResult) -> ClaimKey:
    findings = tuple(FindingKey(f.rule_id, f.category, f.severity, f.line) for f in result.findings)
    claim = record.claim
    if claim is None:
        return ClaimKey(result.claim_id, False, None, None, (), findings)
    control = line_control_numbers(claim)
    lines = tuple(LineKey(ln.number, ln.code, tuple(ln.modifiers), ln.date_from or claim.service_from,
                          control.get(ln.number), ln.charge, ln.revenue_code) for ln in claim.lines)
    return ClaimKey(claim.claim_id, True, claim.total_charge, result.payer, lines, findings)


class ClaimCollector:
    """``on_claim`` callback: keeps one ClaimKey per audited claim, in input order."""

    def __init__(self) -> None:
        self.claims: list[ClaimKey] = []

    def __call__(self, record: ClaimRecord, result: ClaimResult) -> None:
        # a worker (``--jobs N``) computed the keys where it read the claim: the parent has no record
        keys = getattr(record, "keys", None)
        self.claims.append(keys if isinstance(keys, ClaimKey) else claim_key(record, result))
