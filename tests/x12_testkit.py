"""A small, independent X12 837 reader for the split tests: builds RawClaims and checks envelopes.

Deliberately separate from scrubber.readers so the split writer is checked against a second
implementation: it splits segments by the ISA's delimiters, cuts each claim with its parent
HL loops exactly as RawClaim documents, and verifies control numbers, SE / GE / IEA counts and
the HL tree of a written file.
"""
from __future__ import annotations

import re

from scrubber.model import RawClaim


def segments_of(text: str) -> tuple[dict, list[str]]:
    """Delimiters by position in a well-formed ISA (fixed width: what a strict receiver assumes)."""
    text = text.lstrip("\ufeff \t\r\n")
    element_sep, repetition, component, term = text[3], text[82], text[104], text[105]
    segs = [s.strip("\r\n") for s in text.split(term)]
    return ({"element_sep": element_sep, "component_sep": component, "repetition_sep": repetition,
             "segment_term": term}, [s for s in segs if s.strip()])


def raw_claims(text: str) -> list[RawClaim]:
    """Every claim of every interchange in ``text`` as a RawClaim (the reader's contract)."""
    delims, segs = segments_of(text)
    sep = delims["element_sep"]
    out: list[RawClaim] = []
    isa = gs = None
    header: list[str] = []
    loops: dict[str, tuple] = {}
    claim: list[str] = []
    in_header = False

    def flush():
        if claim:
            out.append(RawClaim(isa=isa, gs=gs, header=tuple(header), billing=tuple(loops.get("20", ())),
                                subscriber=tuple(loops.get("22", ())), patient=tuple(loops.get("23", ())),
                                claim=tuple(claim),
                                **delims))
            claim.clear()

    current: list[str] | None = None
    for s in segs:
        tag = s.split(sep, 1)[0]
        if tag == "ISA":
            isa = s
        elif tag == "GS":
            gs = s
        elif tag == "ST":
            header, in_header, loops = [s], True, {}
        elif tag == "HL":
            flush()
            in_header = False
            level = s.split(sep)[3]
            current = [s]
            loops[level] = current
            if level == "20":
                loops.pop("22", None), loops.pop("23", None)
            elif level == "22":
                loops.pop("23", None)
        elif tag == "CLM":
            flush()
            current = claim
            claim.append(s)
        elif tag in ("SE", "GE", "IEA"):
            flush()
            current = None
        elif in_header:
            header.append(s)
        elif current is not None:
            current.append(s)
    return out


def content(raw: RawClaim) -> tuple:
    """What must survive the split unchanged: everything but HL ids and control numbers."""
    return (raw.element_sep, raw.component_sep, raw.segment_term, raw.header[1:], raw.billing[1:],
            raw.subscriber[1:], raw.patient[1:], raw.claim)


def envelope_problems(text: str) -> list[str]:
    """Everything wrong with the envelopes and HL tree of ``text`` (empty list = valid)."""
    _, segs = segments_of(text)
    sep = text.lstrip("\ufeff \t\r\n")[3]
    problems: list[str] = []
    isa13 = None
    groups = transactions = count = 0
    gs06 = st02 = None
    hl_ids: dict[str, str] = {}
    seen_controls: set[str] = set()
    for s in segs:
        e = s.split(sep)
        tag = e[0]
        if tag == "ISA":
            if len(s) != 105:
                problems.append(f"ISA is {len(s)} characters, not 105 plus the terminator")
            isa13, groups = e[13], 0
            if not re.fullmatch(r"\d{9}", isa13):
                problems.append(f"ISA13 {isa13!r} is not 9 digits")
        elif tag == "GS":
            groups += 1
            gs06, transactions = e[6], 0
        elif tag == "ST":
            transactions += 1
            st02, count, hl_ids = e[2], 1, {}
            if (isa13, gs06, st02) in seen_controls:
                problems.append(f"ST02 {st02} repeats in group {gs06}")
            seen_controls.add((isa13, gs06, st02))
        elif tag == "SE":
            count += 1
            if e[1] != str(count):
                problems.append(f"SE01 {e[1]} but the transaction has {count} segments")
            if e[2] != st02:
                problems.append(f"SE02 {e[2]} != ST02 {st02}")
            st02 = None
        elif tag == "GE":
            if e[1] != str(transactions):
                problems.append(f"GE01 {e[1]} but the group has {transactions} transactions")
            if e[2] != gs06:
                problems.append(f"GE02 {e[2]} != GS06 {gs06}")
        elif tag == "IEA":
            if e[1] != str(groups):
                problems.append(f"IEA01 {e[1]} but the interchange has {groups} groups")
            if e[2] != isa13:
                problems.append(f"IEA02 {e[2]} != ISA13 {isa13}")
        else:
            count += 1
            if tag == "HL":
                expected = str(len(hl_ids) + 1)
                if e[1] != expected:
                    problems.append(f"HL01 {e[1]}, expected {expected}")
                if e[2] and e[2] not in hl_ids:
                    problems.append(f"HL02 {e[2]} names no earlier HL")
                hl_ids[e[1]] = e[3]
    return problems


def records_from_x12(text: str, path: str) -> list:
    """ClaimRecords with the few fields the audit and ledger tests need (a stand-in for the reader).

    Reads claim id and charge (CLM), payer id (NM1*PR), billing NPI (NM1*85), rendering NPI
    (NM1*82), member id and name (NM1*IL / NM1*QC), the first DTP*472 date, and keeps the RawClaim.
    """
    from datetime import date
    from decimal import Decimal

    from scrubber.model import Claim, ClaimRecord, Payer, Person, Provider, Source

    delims, segs = segments_of(text)
    sep = delims["element_sep"]
    out = []
    for raw in raw_claims(text):
        every = raw.billing + raw.subscriber + raw.patient + raw.claim
        el = {s.split(sep)[0] + "*" + (s.split(sep)[1] if len(s.split(sep)) > 1 else ""): s.split(sep) for s in reversed(every)}
        clm = raw.claim[0].split(sep)
        dtp = next((s.split(sep)[3] for s in raw.claim if s.startswith(f"DTP{sep}472{sep}")), None)
        when = date(int(dtp[:4]), int(dtp[4:6]), int(dtp[6:8])) if dtp else None
        person = el.get("NM1*QC") or el.get("NM1*IL")
        providers = [Provider("billing", npi=el["NM1*85"][9])] if "NM1*85" in el else []
        if "NM1*82" in el:
            providers.append(Provider("rendering", npi=el["NM1*82"][9]))
        source = Source(path, _clm_number(segs, raw.claim[0]))
        claim = Claim(
            claim_id=clm[1], kind="837P", source=source, total_charge=Decimal(clm[2]),
            service_from=when, service_to=when, providers=tuple(providers),
            payer=Payer(name=el["NM1*PR"][3], payer_id=el["NM1*PR"][9]) if "NM1*PR" in el else None,
            subscriber=Person(last_name=el["NM1*IL"][3], first_name=el["NM1*IL"][4], member_id=el["NM1*IL"][9]) if "NM1*IL" in el else None,
            patient=Person(last_name=person[3], first_name=person[4]) if person else None,
            raw=raw,
        )
        out.append(ClaimRecord(claim.claim_id, source, claim))
    return out


def _clm_number(segs: list[str], clm: str) -> int:
    return segs.index(clm) + 1

