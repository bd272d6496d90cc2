"""Per-rule precision and recall against the payers' denials, and where every denied dollar went.

A denial is *caught* by a finding when the finding's rule (or its category) maps to the
denial's CARC (or to a remark code on it) in the denial map, and the finding is on the same
claim and either the finding or the denial is at claim level or both are on the same line.

Per rule, over the claims that have a remittance:

* ``claims_flagged``: claims with a finding of the rule;
* ``flagged_and_denied``: of those, claims with a denial the rule catches;
* ``denied_not_flagged``: claims with a denial in the rule's family that no finding of the rule
  caught (not flagged at all, or flagged on another line);
* ``precision`` = flagged_and_denied / claims_flagged; ``recall`` = flagged_and_denied /
  (flagged_and_denied + denied_not_flagged); None when the denominator is 0;
* ``dollars_prevented``: the denied amounts it catches; ``false_alarm_charges``: the 837
  charges of claims it flagged where it caught no denial (``false_alarm_paid``: what the payer
  paid on them), so claims_flagged = flagged_and_denied + the false alarms.

Totals count every denial once: ``denied_amount == caught_amount + not_caught_amount`` in
total, per category (the denial's first mapped category, or ``uncategorised``) and per payer.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Optional

from scrubber.denials.claims import ClaimKey, FindingKey
from scrubber.denials.mapping import DenialMap
from scrubber.denials.settle import Denial, claims_by_id, denials_of, match_lines, payer_label, settle
from scrubber.readers.remit.model import ClaimPayment

UNCATEGORISED = "uncategorised"
LISTED_IDS = 100  # unmatched ids listed in the result (all are counted)
TOP_CARCS = 20


@dataclass
class RemitFilter:
    """The audit's --since / --until / --payer-id / --provider applied to remittances without a claim."""

    since: Optional[date] = None
    until: Optional[date] = None
    payer_ids: frozenset[str] = frozenset()
    npis: frozenset[str] = frozenset()

    def keeps(self, cp: ClaimPayment) -> bool:
        dos = cp.date_of_service()
        if (self.since or self.until) and dos is None:
            return False
        if self.since and dos < self.since:
            return False
        if self.until and dos > self.until:
            return False
        if self.payer_ids and cp.payer_id not in self.payer_ids:
            return False
        if self.npis and not ({cp.payee_id, cp.rendering_npi} & self.npis):
            return False
        return True


def _catches(f: FindingKey, d: Denial, family: frozenset[str]) -> bool:
    if d.carc not in family and not family.intersection(d.remarks):
        return False
    return f.line is None or d.line is None or f.line == d.line


def _ratio(num: int, den: int) -> Optional[float]:
    return round(num / den, 4) if den else None


def _money(v: Decimal) -> float:
    return float(v.quantize(Decimal("0.01")))


@dataclass
class _Bucket:
    denials: int = 0
    denied: Decimal = Decimal(0)
    caught: Decimal = Decimal(0)
    caught_denials: int = 0

    def add(self, d: Denial, caught: bool) -> None:
        self.denials += 1
        self.denied += d.amount
        if caught:
            self.caught += d.amount
            self.caught_denials += 1

    def to_dict(self, name_key: str, name: str) -> dict:
        return {name_key: name, "denials": self.denials, "denials_caught": self.caught_denials,
                "denied_amount": _money(self.denied), "caught_amount": _money(self.caught),
                "not_caught_amount": _money(self.denied - self.caught)}


@dataclass
class _Rule:
    category: str
    flagged: int = 0
    flagged_no_remit: int = 0
    flagged_and_denied: int = 0
    denied_not_flagged: int = 0
    prevented: Decimal = Decimal(0)
    false_alarm_charges: Decimal = Decimal(0)
    false_alarm_paid: Decimal = Decimal(0)
    carcs: set = field(default_factory=set)


def correlate(claims: Iterable[ClaimKey], payments: Iterable[ClaimPayment], mapping: DenialMap,
              remit_filter: Optional[RemitFilter] = None, excluded_claim_ids: frozenset[str] = frozenset(),
              files: Iterable[dict] = (), loaded_rules: Iterable[tuple[str, str]] = ()) -> dict:
    """The ``denials`` object of the run result (see the module docstring for every figure).

    ``loaded_rules`` (rule id, category) are the rules that ran: one that never fired is listed
    too when denials in its family went uncaught (recall 0: the rule exists but did not see them).
    """
    remit_filter = remit_filter or RemitFilter()
    payments = list(payments)
    by_id, repeated_ids = claims_by_id(claims)
    settled = settle(payments)
    remits_by_claim: dict[str, list[ClaimPayment]] = defaultdict(list)
    unmatched_remits: list[str] = []
    outside = 0
    for cp in settled.standing:
        if cp.claim_id in by_id:
            remits_by_claim[cp.claim_id].append(cp)
        elif cp.claim_id in excluded_claim_ids or not remit_filter.keeps(cp):
            outside += 1
        else:
            unmatched_remits.append(cp.claim_id)
    unmatched_claims = [cid for cid in by_id if cid not in remits_by_claim]

    rules: dict[str, _Rule] = {}
    fired: set[str] = set()
    for c in by_id.values():
        for f in c.findings:
            rules.setdefault(f.rule_id, _Rule(f.category))
            fired.add(f.rule_id)
    for rule_id, category in loaded_rules:
        rules.setdefault(rule_id, _Rule(category))
    total, by_category, by_payer = _Bucket(), defaultdict(_Bucket), defaultdict(_Bucket)
    uncaught: dict[str, _Bucket] = defaultdict(_Bucket)
    lines = {"svc_lines": 0, "matched": 0, "by_control_number": 0, "unmatched_svc_lines": 0, "claim_lines_not_in_remits": 0}
    denied_claims = 0
    for cid, c in by_id.items():
        cps = remits_by_claim.get(cid)
        if not cps:
            for rule_id in {f.rule_id for f in c.findings}:
                rules[rule_id].flagged_no_remit += 1
            continue
        denials: list[Denial] = []
        paid = Decimal(0)
        joined: set[int] = set()
        for cp in cps:
            matched, by_control = match_lines(cp.services, c.lines)
            lines["svc_lines"] += len(matched)
            lines["matched"] += sum(1 for m in matched if m is not None)
            lines["unmatched_svc_lines"] += sum(1 for m in matched if m is None)
            lines["by_control_number"] += by_control
            joined.update(m for m in matched if m is not None)
            denials.extend(denials_of(cp, matched, mapping))
            paid += cp.paid or Decimal(0)
        if any(cp.services for cp in cps):
            lines["claim_lines_not_in_remits"] += sum(1 for ln in c.lines if ln.number not in joined)
        denied_claims += bool(denials)
        findings_by_rule: dict[str, list[FindingKey]] = defaultdict(list)
        for f in c.findings:
            findings_by_rule[f.rule_id].append(f)
        caught_ids: set[int] = set()
        for rule_id, rule in rules.items():
            family = mapping.family(rule_id, rule.category)
            in_family = [d for d in denials if d.carc in family or family.intersection(d.remarks)]
            mine = findings_by_rule.get(rule_id, [])
            caught = [d for d in in_family if any(_catches(f, d, family) for f in mine)]
            if mine:
                rule.flagged += 1
                if caught:
                    rule.flagged_and_denied += 1
                else:
                    rule.false_alarm_charges += c.total_charge or Decimal(0)
                    rule.false_alarm_paid += paid
            if in_family and not caught:
                rule.denied_not_flagged += 1
            for d in caught:
                rule.prevented += d.amount
                rule.carcs.add(d.carc)
                caught_ids.add(id(d))
        for d in denials:
            hit = id(d) in caught_ids
            total.add(d, hit)
            by_category[d.category or UNCATEGORISED].add(d, hit)
            by_payer[d.payer].add(d, hit)
            if not hit:
                uncaught[d.carc].add(d, False)

    unmatched_remit_denied = Decimal(0)
    without_claim = set(unmatched_remits)
    for cp in settled.standing:
        if cp.claim_id in without_claim:
            unmatched_remit_denied += sum((d.amount for d in denials_of(cp, [None] * len(cp.services), mapping)), Decimal(0))
    readable = len(payments) - settled.unreadable
    top = sorted(uncaught.items(), key=lambda kv: (-kv[1].denied, kv[0]))[:TOP_CARCS]
    return {
        "map": mapping.describe(),
        "remittances": {
            "files": list(files),
            "claim_payments": len(payments), "unreadable": settled.unreadable, "readable": readable,
            "standing": len(settled.standing), "reversals": settled.reversals, "reversed": settled.reversed,
            "superseded": settled.superseded, "reversals_without_original": settled.reversals_without_original,
            "payers": sorted({payer_label(cp) for cp in settled.standing}),
        },
        "matching": {
            "claims": len(by_id), "claims_with_remittance": len(remits_by_claim),
            "claims_without_remittance": len(unmatched_claims), "repeated_claim_ids": repeated_ids,
            "remittances_without_claim": len(unmatched_remits), "remittances_outside_filters": outside,
            "unmatched_claim_ids": unmatched_claims[:LISTED_IDS], "unmatched_remittance_ids": unmatched_remits[:LISTED_IDS],
            "lines": lines,
        },
        "totals": {"denied_claims": denied_claims, **total.to_dict("scope", "claims with a remittance"),
                   "denied_amount_without_claim": _money(unmatched_remit_denied)},
        "by_rule": [
            {"rule_id": rid, "category": r.category, "family": sorted(mapping.family(rid, r.category)),
             "claims_flagged": r.flagged, "claims_flagged_without_remittance": r.flagged_no_remit,
             "flagged_and_denied": r.flagged_and_denied, "denied_not_flagged": r.denied_not_flagged,
             "precision": _ratio(r.flagged_and_denied, r.flagged),
             "recall": _ratio(r.flagged_and_denied, r.flagged_and_denied + r.denied_not_flagged),
             "dollars_prevented": _money(r.prevented), "false_alarm_charges": _money(r.false_alarm_charges),
             "false_alarm_paid": _money(r.false_alarm_paid), "carcs_caught": sorted(r.carcs)}
            for rid, r in sorted(rules.items()) if rid in fired or r.denied_not_flagged
        ],
        "by_category": [b.to_dict("category", name) for name, b in sorted(by_category.items(), key=lambda kv: -kv[1].denied)],
        "by_payer": [b.to_dict("payer", name) for name, b in sorted(by_payer.items(), key=lambda kv: -kv[1].denied)],
        "uncaught_carcs": [{"carc": carc or None, "denials": b.denials, "amount": _money(b.denied),
                            "category": mapping.category_of(carc)} for carc, b in top],
    }
