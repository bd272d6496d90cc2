"""The HL loops a claim sits under: 2000A billing provider, 2000B subscriber, 2000C patient.

Each HL loop is read once, when the first claim under it is built, and its values are
shared by every claim under it (frozen model objects can be shared). Its structure
findings go to each of those claims.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from scrubber.model import Finding, Payer, Person, Provider
from scrubber.readers.x12 import layout
from scrubber.readers.x12.names import NameLoop, payer, person, provider
from scrubber.readers.x12.claim_checks import all_present
from scrubber.readers.x12.values import Collector, element

_REQ = layout.REQUIRED
_NM1_REQ = _REQ["NM1"]
_HL_LEVELS, _NAME_LOOP, _KNOWN_SEGMENTS = layout.HL_LEVELS, layout.NAME_LOOP, layout.KNOWN_SEGMENTS


class HLLoop:
    """One HL loop's segments (HL included), filled while the transaction is read."""

    __slots__ = ("level", "hl_id", "parent_id", "segments", "findings", "_parsed")

    def __init__(self, level: str, seg: tuple):
        els = seg[2]
        self.level = level
        self.hl_id = element(els, 1)
        self.parent_id = element(els, 2)
        self.segments: list[tuple] = [seg]
        self.findings: list[Finding] = []  # hierarchy findings, added by the transaction reader
        self._parsed = None

    def raw(self) -> tuple[str, ...]:
        return tuple([s[1] for s in self.segments])

    def parsed(self, strict: bool):
        if self._parsed is None:
            self._parsed = _PARSERS[self.level](self, strict)
        return self._parsed


class Billing:
    __slots__ = ("providers", "findings", "raw")

    def __init__(self, providers: tuple[Provider, ...], findings: list[Finding], raw: tuple[str, ...]):
        self.providers, self.findings, self.raw = providers, findings, raw


class Subscriber:
    __slots__ = ("person", "payer", "responsibility", "filing_indicator", "locs", "findings", "raw", "_as_patient")

    def __init__(self, person_: Optional[Person], payer_: Optional[Payer], responsibility, filing_indicator, locs, findings, raw):
        self.person, self.payer = person_, payer_
        self.responsibility, self.filing_indicator = responsibility, filing_indicator
        self.locs, self.findings, self.raw = locs, findings, raw
        self._as_patient = None

    def as_patient(self) -> Optional[Person]:
        """The subscriber as the patient when there is no 2000C loop (relationship 18, self)."""
        if self._as_patient is None and self.person is not None:
            p = self.person
            self._as_patient = p if p.relationship == "18" else replace(p, relationship="18")
        return self._as_patient


class Patient:
    __slots__ = ("person", "findings", "raw")

    def __init__(self, person_: Optional[Person], findings: list[Finding], raw: tuple[str, ...]):
        self.person, self.findings, self.raw = person_, findings, raw


def _walk(loop: HLLoop, strict: bool, col: Collector) -> tuple[dict[str, tuple], dict[str, NameLoop]]:
    """Split an HL loop into its own segments (first of each id) and its name sub-loops."""
    name, ranks, subloops = _HL_LEVELS[loop.level]
    own: dict[str, tuple] = {}
    names: dict[str, NameLoop] = {}
    current: Optional[NameLoop] = None
    current_name = name
    rank = -1
    for seg in loop.segments:
        no, _, els = seg
        sid = els[0]
        if sid == "NM1":
            sub = subloops.get(els[1] if len(els) > 1 else "")
            if sub is None:
                col.add("X12-SEG-MISPLACED", f"NM101 entity code {(element(els, 1) or '')[:10]!r} does not start a loop of {name}", name + "/NM101", no)
                current, current_name, rank = None, name, 99
                continue
            if sub in names and strict:
                col.add("X12-SEG-MISPLACED", f"loop {sub} repeats; the guide allows it once in {name}", sub + "/NM101", no)
            current = NameLoop(sub, seg)
            names.setdefault(sub, current)
            current_name, rank = sub, 0
            if strict and not all_present(els, _NM1_REQ):
                col.required(els, _NM1_REQ, sub, no)
            continue
        if current is None:
            r = ranks.get(sid)
            if r is None:
                if strict:
                    _misplaced(col, sid, name, no)
                continue
            own.setdefault(sid, seg)
        else:
            r = _NAME_LOOP.get(sid)
            if r is None:
                r = ranks.get(sid)
                if r is not None:  # an HL-level segment after the name loop: out of order, still read
                    own.setdefault(sid, seg)
                    if strict:
                        col.add("X12-SEG-ORDER", f"{sid} belongs before the {current_name} loop in {name}", f"{name}/{sid}", no)
                elif strict:
                    _misplaced(col, sid, current_name, no)
                continue
            current.take(sid, seg)
        if strict:
            if r < rank:
                col.add("X12-SEG-ORDER", f"{sid} is out of order in loop {current_name}", f"{current_name}/{sid}", no)
            req = _REQ.get(sid)
            # 2000B PAT (date of death, weight, pregnancy) does not use PAT01; only 2000C's does.
            if req is not None and sid != "HL" and (sid != "PAT" or loop.level == "23") and not all_present(els, req):
                col.required(els, req, current_name, no)
        if r > rank:
            rank = r
    return own, names


def _misplaced(col: Collector, sid: str, loop_name: str, no: int) -> None:
    if sid in _KNOWN_SEGMENTS:
        col.add("X12-SEG-MISPLACED", f"segment {sid} is not allowed in loop {loop_name}", f"{loop_name}/{sid}", no)
    else:
        col.add("X12-SEG-UNKNOWN", f"unknown segment id {sid[:10]!r} in loop {loop_name}", f"{loop_name}/{sid[:10]}", no)


def _require_loop(col: Collector, names: dict, sub: str, what: str, hl_seg: tuple) -> None:
    if sub not in names:
        col.add("X12-REQ-SEG", f"loop {sub} ({what}) is missing", sub, hl_seg[0])


def _billing(loop: HLLoop, strict: bool) -> Billing:
    col = Collector()
    own, names = _walk(loop, strict, col)
    providers = []
    bp = names.get("2010AA")
    if bp is not None:
        providers.append(provider("billing", bp, own.get("PRV"), "2000A"))
        if strict:
            _billing_id(col, bp.nm1)
            if bp.n3 is None:
                col.add("X12-REQ-SEG", "the billing provider address is missing", "2010AA/N3", bp.nm1[0])
            if bp.n4 is None:
                col.add("X12-REQ-SEG", "the billing provider city/state/ZIP is missing", "2010AA/N4", bp.nm1[0])
    elif strict:
        _require_loop(col, names, "2010AA", "billing provider NM1*85", loop.segments[0])
    pay_to = names.get("2010AB")
    if pay_to is not None:
        providers.append(provider("pay_to", pay_to))
    return Billing(tuple(providers), col.findings + loop.findings, loop.raw())


def _billing_id(col: Collector, nm1: tuple) -> None:
    """2010AA NM108 is XX (NPI) only, and NM108 / NM109 come together (X12 syntax P0809): an
    NM1 one element short ("...****XX*NPI") would otherwise leave the claim silently NPI-less."""
    no, _, els = nm1
    qualifier, ident = element(els, 8), element(els, 9)
    if qualifier is not None and qualifier != "XX":
        col.add("X12-CODE", f"2010AA NM108 {qualifier[:12]!r} is not XX (NPI); is an element separator missing?", "2010AA/NM108", no)
    if (qualifier is None) != (ident is None):
        missing = "NM109" if ident is None else "NM108"
        col.add("X12-REQ-ELEM", f"required element {missing} is missing (NM108 and NM109 go together)", f"2010AA/{missing}", no)


def _subscriber(loop: HLLoop, strict: bool) -> Subscriber:
    col = Collector()
    own, names = _walk(loop, strict, col)
    sbr = own.get("SBR")
    responsibility = relationship = filing = None
    locs: dict = {}
    if sbr is not None:
        no, _, els = sbr
        responsibility, relationship, filing = element(els, 1), element(els, 2), element(els, 9)
        locs["payer_responsibility"] = ("2000B/SBR01", no)
        locs["claim_filing_indicator"] = ("2000B/SBR09", no)
        if responsibility is not None and responsibility not in layout.SBR_RESPONSIBILITY:
            col.add("X12-CODE", f"SBR01 payer responsibility {responsibility!r} is not one of P S T A-H U", "2000B/SBR01", no)
        if strict and filing is None:
            col.add("X12-REQ-ELEM", "required element SBR09 (claim filing indicator) is missing", "2000B/SBR09", no)
    elif strict:
        col.add("X12-REQ-SEG", "the subscriber information segment is missing", "2000B/SBR", loop.segments[0][0])
    sub = names.get("2010BA")
    person_ = person(sub, col, relationship, sbr) if sub is not None else None
    pay = names.get("2010BB")
    payer_ = payer(pay) if pay is not None else None
    if strict:
        _require_loop(col, names, "2010BA", "subscriber NM1*IL", loop.segments[0])
        _require_loop(col, names, "2010BB", "payer NM1*PR", loop.segments[0])
    return Subscriber(person_, payer_, responsibility, filing, locs, col.findings + loop.findings, loop.raw())


def _patient(loop: HLLoop, strict: bool) -> Patient:
    col = Collector()
    own, names = _walk(loop, strict, col)
    pat = own.get("PAT")
    relationship = None
    if pat is not None:
        relationship = element(pat[2], 1)
    elif strict:
        col.add("X12-REQ-SEG", "the patient information segment is missing", "2000C/PAT", loop.segments[0][0])
    pl = names.get("2010CA")
    person_ = person(pl, col, relationship, pat) if pl is not None else None
    if strict:
        _require_loop(col, names, "2010CA", "patient NM1*QC", loop.segments[0])
    return Patient(person_, col.findings + loop.findings, loop.raw())


_PARSERS = {"20": _billing, "22": _subscriber, "23": _patient}
