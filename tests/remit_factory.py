"""Made-up 835 remittances written from the project's own 837 fixtures, with a known truth.

Tests say which claim (and which line) a payer denied with which CARC; this module writes the
835 a payer would send for that, so every figure of the denial correlation can be checked
against a truth the test wrote down. Payer, payee, trace and control numbers are made up
(``MADE-UP``); CARC values are real X12 codes used for what they mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Optional

from scrubber.model import Claim

CLAIMS = Path(__file__).resolve().parent.parent / "fixtures" / "claims"
D = Decimal


@dataclass
class Adj:
    group: str
    carc: str
    amount: Decimal


@dataclass
class Svc:
    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    date: Optional[str] = None  # CCYYMMDD
    adjustments: list[Adj] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    control_number: Optional[str] = None


@dataclass
class Clp:
    claim_id: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal = Decimal(0)
    adjustments: list[Adj] = field(default_factory=list)
    services: list[Svc] = field(default_factory=list)
    control_number: str = ""
    frequency: str = "1"


def clp_for(claim: Claim, line_adjustments: Optional[dict] = None, claim_adjustments: Optional[list] = None,
            remarks: Optional[dict] = None, status: Optional[str] = None) -> Clp:
    """The CLP a payer sends for ``claim``: each line paid its charge less its adjustments.

    ``line_adjustments`` maps LX01 -> [Adj]; ``claim_adjustments`` are claim-level CAS (taken
    off the payment too). CLP02 is 4 (denied) when nothing is paid, else 1, unless given."""
    line_adjustments = line_adjustments or {}
    remarks = remarks or {}
    services = []
    pr = Decimal(0)
    for ln in claim.lines:
        adjs = line_adjustments.get(ln.number, [])
        charge = ln.charge or Decimal(0)
        paid = charge - sum((a.amount for a in adjs), Decimal(0))
        pr += sum((a.amount for a in adjs if a.group == "PR"), Decimal(0))
        qualifier, code = ("HC", ln.code) if ln.code else ("NU", ln.revenue_code)
        services.append(Svc(qualifier, code, tuple(ln.modifiers), charge, paid,
                            (ln.date_from or claim.service_from).strftime("%Y%m%d") if (ln.date_from or claim.service_from) else None,
                            list(adjs), list(remarks.get(ln.number, []))))
    claim_adjustments = claim_adjustments or []
    paid = sum((s.paid for s in services), Decimal(0)) - sum((a.amount for a in claim_adjustments), Decimal(0))
    pr += sum((a.amount for a in claim_adjustments if a.group == "PR"), Decimal(0))
    return Clp(claim.claim_id, status or ("4" if paid <= 0 else "1"), claim.total_charge or Decimal(0), max(paid, Decimal(0)),
               pr, list(claim_adjustments), services, control_number=f"MADE-UP-PCN-{claim.claim_id}")


def reversal_of(clp: Clp) -> Clp:
    """CLP02 = 22: the payer takes back ``clp`` (amounts negated, same payer claim control number)."""
    return Clp(clp.claim_id, "22", -clp.charge, -clp.paid, -clp.patient_responsibility,
               [Adj("CR", a.carc, -a.amount) for a in clp.adjustments],
               [Svc(s.qualifier, s.code, s.modifiers, -s.charge, -s.paid, s.date,
                    [Adj("CR", a.carc, -a.amount) for a in s.adjustments]) for s in clp.services],
               clp.control_number, clp.frequency)


def _money(v: Decimal) -> str:
    return format(v.quantize(Decimal("0.01")), "f")


def _cas(adjs: list[Adj]) -> list[str]:
    by_group: dict[str, list[Adj]] = {}
    for a in adjs:
        by_group.setdefault(a.group, []).append(a)
    out = []
    for group, items in by_group.items():
        for i in range(0, len(items), 6):
            out.append("CAS*" + group + "".join(f"*{a.carc}*{_money(a.amount)}*" for a in items[i:i + 6]).rstrip("*"))
    return out


def build_835(clps: list[Clp], payer_name: str = "MADE-UP HEALTH PLAN", payer_id: str = "MADEUP01",
              payee_name: str = "MADE-UP CLINIC", payee_npi: str = "1234567893", paid_on: str = "20250401",
              trace: str = "MADE-UP-TRACE-1") -> bytes:
    """One interchange, one 835 transaction holding ``clps`` in order."""
    body = [
        f"BPR*I*{_money(sum((c.paid for c in clps), Decimal(0)))}*C*CHK************{paid_on}",
        f"TRN*1*{trace}*1{payer_id}",
        f"DTM*405*{paid_on}",
        f"N1*PR*{payer_name}",
        f"REF*2U*{payer_id}",
        f"N1*PE*{payee_name}*XX*{payee_npi}",
        "LX*1",
    ]
    for c in clps:
        body.append(f"CLP*{c.claim_id}*{c.status}*{_money(c.charge)}*{_money(c.paid)}*{_money(c.patient_responsibility)}"
                    f"*12*{c.control_number}*11*{c.frequency}")
        body.extend(_cas(c.adjustments))
        for s in c.services:
            comp = ":".join((s.qualifier, s.code, *s.modifiers))
            body.append(f"SVC*{comp}*{_money(s.charge)}*{_money(s.paid)}")
            if s.date:
                body.append(f"DTM*472*{s.date}")
            body.extend(_cas(s.adjustments))
            if s.control_number:
                body.append(f"REF*6R*{s.control_number}")
            body.extend(f"LQ*HE*{r}" for r in s.remarks)
    segments = ["ST*835*0001*005010X221A1", *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = ("ISA*00*          *00*          *ZZ*MADEUPPAYER    *ZZ*MADEUPCLINIC   *250401*1200*^*00501*000000001*0*T*:")
    text = "~\n".join([isa, f"GS*HP*MADEUPPAYER*MADEUPCLINIC*{paid_on}*1200*1*X*005010X221A1", *segments,
                       "GE*1*1", "IEA*1*000000001"]) + "~\n"
    return text.encode("ascii")


def _claims() -> dict:
    from scrubber.model import ClaimRecord
    from scrubber.readers import iter_records

    return {r.claim.claim_id: r.claim for r in iter_records([str(CLAIMS)]) if isinstance(r, ClaimRecord) and r.claim}


def write_truth(folder: Path, plan_name: str = "MADE-UP HEALTH PLAN") -> tuple[Path, Path]:
    """The two 835s of the truth in tests/test_denials.py (and fixtures/remits, docs/denials.md)."""
    c = _claims()
    pro1 = clp_for(c["MADE-UP-PRO-001"], {1: [Adj("CO", "45", D("20.00")), Adj("PR", "2", D("10.00"))]})
    plan = [
        pro1, reversal_of(pro1), pro1,
        clp_for(c["MADE-UP-PRO-002"], claim_adjustments=[Adj("CO", "16", D("190.00"))]),
        clp_for(c["MADE-UP-PRO-003"], {1: [Adj("CO", "16", D("110.00"))]}, remarks={1: ["M76"]}),
        clp_for(c["MADE-UP-PRO-004"], {1: [Adj("CO", "45", D("30.00"))]}),
        clp_for(c["MADE-UP-PRO-005"], {1: [Adj("CO", "97", D("130.00"))]}),  # E/M bundled into 20610 (NCCI)
        clp_for(c["MADE-UP-JSON-002"], {1: [Adj("CO", "146", D("110.00"))]}),
        Clp("MADE-UP-NOSUCH-001", "4", D("75.00"), D("0"), adjustments=[Adj("CO", "18", D("75.00"))],
            control_number="MADE-UP-PCN-NOSUCH"),
    ]
    contractor = [
        clp_for(c["MADE-UP-INS-001"], claim_adjustments=[Adj("CO", "29", D("550.00"))]),
        clp_for(c["MADE-UP-INS-002"], {1: [Adj("CO", "16", D("3600.00"))]}),
    ]
    a, b = folder / "plan.835", folder / "contractor.835"
    a.write_bytes(build_835(plan, payer_name=plan_name, payer_id="99901"))
    b.write_bytes(build_835(contractor, payer_name="MADE-UP MEDICARE CONTRACTOR", payer_id="99904", trace="MADE-UP-TRACE-2"))
    return a, b
