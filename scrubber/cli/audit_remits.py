"""`claimscrub audit ... --remits FILE...`: the wiring between the audit run and the denial correlation.

The audit's claim filter is wrapped so that the ids of claims it drops are known: their
remittances are then "outside the filters", not "without a claim". The remittances are read
after the claims (they are small next to them) and every problem in them becomes a run error
with its file and segment number.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

import click

from scrubber.cli.audit_inputs import ClaimFilter
from scrubber.model import Claim


@dataclass
class TrackingFilter(ClaimFilter):
    """A ClaimFilter that remembers the claim ids it dropped."""

    excluded_ids: set = field(default_factory=set, compare=False)

    def keeps(self, claim: Claim) -> bool:
        kept = super().keeps(claim)
        if not kept:
            self.excluded_ids.add(claim.claim_id)
        return kept


class DenialRun:
    """Collects claim keys during the audit, then joins them to the remittances."""

    def __init__(self, remit_paths: tuple[str, ...], map_path: Optional[str], claim_filter: ClaimFilter,
                 loaded_rules: tuple[tuple[str, str], ...] = ()):
        from scrubber.denials.claims import ClaimCollector
        from scrubber.denials.mapping import MappingError, load_map
        from scrubber.readers import input_files

        for p in remit_paths:
            if not os.path.exists(p):
                raise click.UsageError(f"--remits {p}: no such file or directory")
        try:
            self.mapping = load_map(map_path)
        except MappingError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            raise SystemExit(2) from None
        self.files = input_files(remit_paths)
        self.claim_filter = claim_filter
        self.collector = ClaimCollector()
        self.loaded_rules = loaded_rules

    def on_claim(self, record, result) -> None:
        self.collector(record, result)

    def finish(self, result) -> None:
        """Read the remittances, correlate, and put the figures, inputs and problems on ``result``."""
        from scrubber.denials.figures import RemitFilter, correlate
        from scrubber.model import RunError
        from scrubber.pipeline import sha256_of
        from scrubber.readers.remit import iter_remits
        from scrubber.readers.remit.model import ClaimPayment

        payments = []
        for rec in iter_remits(self.files):
            if isinstance(rec, ClaimPayment):
                payments.append(rec)
            elif isinstance(rec, RunError):
                result.errors.append(rec)
        inputs = [{"path": p, "sha256": sha256_of(p), "kind": "remittance"} for p in self.files]
        result.run.inputs.extend(inputs)
        # The map decides every figure: recorded like an input, so `audit diff` shows when it changed.
        result.run.inputs.append({**self.mapping.describe(), "kind": "denial-map"})
        f = self.claim_filter
        remit_filter = RemitFilter(f.since, f.until, f.payer_ids, f.npis)
        excluded = frozenset(getattr(f, "excluded_ids", ()))
        result.denials = correlate(self.collector.claims, payments, self.mapping, remit_filter, excluded,
                                   [{"path": i["path"], "sha256": i["sha256"]} for i in inputs], self.loaded_rules)

    @staticmethod
    def summary_line(result) -> str:
        d = result.denials or {}
        t, m = d.get("totals", {}), d.get("matching", {})
        return (f"denials: {t.get('denied_amount', 0):,.2f} denied on {t.get('denied_claims', 0):,} claims, "
                f"{t.get('caught_amount', 0):,.2f} caught by a finding, {t.get('not_caught_amount', 0):,.2f} not; "
                f"{m.get('claims_without_remittance', 0):,} claims without a remittance, "
                f"{m.get('remittances_without_claim', 0):,} remittances without a claim")


def loaded_rules(prepared) -> tuple[tuple[str, str], ...]:
    """(id, category) of every rule the prepared run evaluates."""
    packs = getattr(prepared, "packs", None)
    return tuple((r.id, r.category) for r in getattr(packs, "rules", ()) or ())
