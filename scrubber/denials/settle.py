"""From the CLPs of many 835s to what the payers finally said about each claim, and its denials.

* **Reversals and corrections.** A CLP with CLP02 = 22 reverses an earlier payment of the same
  claim: the latest standing CLP with the same payer claim control number (CLP07), else the
  latest standing one of that claim from the same payer. Both then drop out; the corrected
  CLP that usually follows stands. A reversal of a payment not in the given files is counted,
  not applied. A later CLP of the same claim, payer and CLP07 without a reversal supersedes
  the earlier one (the same adjudication sent again); with another CLP07 both stand (a claim
  the payer split). Every readable CLP ends in exactly one of: standing, reversal, reversed,
  superseded.
* **Denials.** Each CAS triplet of a standing CLP (claim or line level) is a denial when its
  group is not CR, its CARC is not in the map's ``not_denials`` and its amount is positive. A
  CLP02 = 4 (denied) claim with no such triplet is one denial of CLP03 - CLP04 with no CARC.
* **Lines.** A service line (SVC) is joined to the 837 line with the same line item control
  number (REF*6R), else to the unused line with the same procedure, modifiers (any order) and
  date, else the same procedure and date when only one line has them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Optional

from scrubber.denials.claims import ClaimKey, LineKey
from scrubber.denials.mapping import DenialMap
from scrubber.readers.remit.model import STATUS_DENIED, STATUS_REVERSAL, ClaimPayment, ServicePayment

NO_CARC = ""  # a CLP02 = 4 denial that gives no reason code


@dataclass(frozen=True, slots=True)
class Denial:
    claim_id: str
    line: Optional[int]  # the 837 LX01 the denied SVC was joined to; None at claim level or when not joined
    carc: str
    group: str
    amount: Decimal
    remarks: tuple[str, ...]
    category: Optional[str]
    payer: str
    path: str
    segment: Optional[int]


@dataclass
class Settled:
    standing: list[ClaimPayment] = field(default_factory=list)
    reversals: int = 0
    reversed: int = 0
    superseded: int = 0
    reversals_without_original: int = 0
    unreadable: int = 0


def payer_label(cp: ClaimPayment) -> str:
    return cp.payer_name or cp.payer_id or "(payer not named)"


def settle(payments: Iterable[ClaimPayment]) -> Settled:
    out = Settled()
    by_claim: dict[str, list[ClaimPayment]] = defaultdict(list)
    for cp in payments:
        if not cp.readable:
            out.unreadable += 1
            continue
        standing = by_claim[cp.claim_id]
        if cp.status == STATUS_REVERSAL:
            out.reversals += 1
            same_payer = [p for p in standing if p.payer_id == cp.payer_id]
            target = next((p for p in reversed(same_payer) if cp.payer_control_number
                           and p.payer_control_number == cp.payer_control_number), None)
            if target is None and same_payer:
                target = same_payer[-1]
            if target is None:
                out.reversals_without_original += 1
            else:
                standing.remove(target)
                out.reversed += 1
            continue
        earlier = [p for p in standing if p.payer_id == cp.payer_id and p.payer_control_number == cp.payer_control_number]
        for p in earlier:
            standing.remove(p)
            out.superseded += 1
        standing.append(cp)
    for claim_payments in by_claim.values():
        out.standing.extend(claim_payments)
    out.standing.sort(key=lambda p: (p.path, p.segment or 0))
    return out


def _same_mods(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return sorted(a) == sorted(b)


def _same_code(ln: LineKey, svc: ServicePayment) -> bool:
    """Procedure codes agree; for a revenue-code-only SVC (SVC01-1 NU), the 837I revenue code does."""
    if svc.qualifier == "NU":
        return svc.code is not None and svc.code == ln.revenue_code and not ln.code
    return svc.code is not None and svc.code == ln.code


def match_lines(services: tuple[ServicePayment, ...], lines: tuple[LineKey, ...]) -> tuple[list[Optional[int]], int]:
    """The 837 LX01 each SVC joins (None = no line), and how many joined by control number."""
    unused = list(lines)
    out: list[Optional[int]] = []
    by_control = 0
    for svc in services:
        found: Optional[LineKey] = None
        if svc.control_number:
            found = next((ln for ln in unused if ln.control_number == svc.control_number), None)
            if found is not None:
                by_control += 1
        if found is None:
            exact = [ln for ln in unused if _same_code(ln, svc) and _same_mods(ln.modifiers, svc.modifiers)
                     and (svc.date_from is None or ln.date_from == svc.date_from)]
            if exact:
                found = exact[0]
            else:
                loose = [ln for ln in unused if _same_code(ln, svc) and (svc.date_from is None or ln.date_from == svc.date_from)]
                found = loose[0] if len(loose) == 1 else None
        if found is not None:
            unused.remove(found)
        out.append(found.number if found is not None else None)
    return out, by_control


def denials_of(cp: ClaimPayment, lines: list[Optional[int]], mapping: DenialMap) -> list[Denial]:
    """The denials of one standing CLP, with the 837 lines its services joined (``lines``, per SVC)."""
    out: list[Denial] = []
    payer = payer_label(cp)

    def add(adjustments, line, remarks):
        for a in adjustments:
            if a.group == "CR" or a.carc in mapping.not_denials or a.amount <= 0:
                continue
            out.append(Denial(cp.claim_id, line, a.carc, a.group, a.amount, remarks, mapping.category_of(a.carc, remarks),
                              payer, cp.path, a.segment))

    add(cp.adjustments, None, cp.remarks)
    for svc, line in zip(cp.services, lines):
        add(svc.adjustments, line, tuple(svc.remarks) + cp.remarks)
    if not out and cp.status == STATUS_DENIED and cp.charge is not None:
        amount = cp.charge - (cp.paid or Decimal(0))
        if amount > 0:
            out.append(Denial(cp.claim_id, None, NO_CARC, "", amount, cp.remarks, mapping.category_of(NO_CARC, cp.remarks),
                              payer, cp.path, cp.segment))
    return out


def claims_by_id(claims: Iterable[ClaimKey]) -> tuple[dict[str, ClaimKey], int]:
    """Claims by CLM01 (the first of a repeated id), and how many ids repeated."""
    out: dict[str, ClaimKey] = {}
    repeated = 0
    for c in claims:
        if c.claim_id in out:
            repeated += 1
        else:
            out[c.claim_id] = c
    return out, repeated
