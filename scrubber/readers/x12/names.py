"""Name loops (NM1 with its N3, N4, DMG, PRV, REF) -> Provider, Person, Payer, Address.

Every 837 party is an NM1 followed by the same few segments, whichever loop it sits in,
so one small collector and three builders serve the billing provider (2010AA), the
subscriber (2010BA), the patient (2010CA), the 2310 / 2420 providers and the 2330 other
payers alike. ``prefix`` is the loop path the locations start with (``2010AA``,
``2400[2]/2420A``, ``2320[1]/2330B``).
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import Address, Payer, Person, Provider
from scrubber.readers.x12.fast import new_address, new_payer, new_person, new_provider
from scrubber.readers.x12.values import Collector, lazy_locs, parse_d8

Seg = tuple  # (segment number, text, elements)


class NameLoop:
    """The segments of one name loop, as they arrive."""

    __slots__ = ("prefix", "nm1", "n3", "n4", "dmg", "prv", "refs", "dtps")

    def __init__(self, prefix: str, nm1: Seg):
        self.prefix = prefix
        self.nm1 = nm1
        self.n3: Optional[Seg] = None
        self.n4: Optional[Seg] = None
        self.dmg: Optional[Seg] = None
        self.prv: Optional[Seg] = None
        self.refs: list[Seg] = []
        self.dtps: list[Seg] = []

    def take(self, sid: str, seg: Seg) -> None:
        if sid == "N3":
            self.n3 = seg
        elif sid == "N4":
            self.n4 = seg
        elif sid == "REF":
            self.refs.append(seg)
        elif sid == "PRV":
            self.prv = seg
        elif sid == "DMG":
            self.dmg = seg
        elif sid == "DTP":
            self.dtps.append(seg)


_PAD = [""] * 12


def _nm1_elements(nm1: Seg) -> list[str]:
    """NM1's elements, padded to NM109 when short (read-only: the common full NM1 is not copied)."""
    els = nm1[2]
    return els if len(els) > 9 else els + _PAD


def address(prefix: str, n3: Optional[Seg], n4: Optional[Seg]) -> Optional[Address]:
    if n3 is None and n4 is None:
        return None
    locs: dict = {}
    line1 = line2 = city = state = postal = None
    if n3 is not None:
        no = n3[0]
        e = n3[2] if len(n3[2]) > 2 else n3[2] + _PAD  # reads e[1..2]; pad (a copy) only when short
        line1, line2 = e[1] or None, e[2] or None
        locs["line1"] = ("N301", no)
        if line2 is not None:
            locs["line2"] = ("N302", no)
    if n4 is not None:
        no = n4[0]
        e = n4[2] if len(n4[2]) > 3 else n4[2] + _PAD  # reads e[1..3]
        city, state, postal = e[1] or None, e[2] or None, e[3] or None
        locs["city"] = ("N401", no)
        locs["state"] = ("N402", no)
        locs["postal_code"] = ("N403", no)
    return new_address(line1=line1, line2=line2, city=city, state=state, postal_code=postal, locs=lazy_locs(locs, prefix + "/"))


def provider(role: str, loop: NameLoop, taxonomy_seg: Optional[Seg] = None, taxonomy_prefix: str = "") -> Provider:
    """A Provider from a name loop; the taxonomy comes from its PRV or, for 2000A, the HL's PRV."""
    prefix = loop.prefix
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    locs = {"entity_type": ("NM102", no), "last_or_org_name": ("NM103", no)}
    first = e[4] or None
    if first is not None:
        locs["first_name"] = ("NM104", no)
    qualifier, ident = e[8], e[9]
    npi = tax_id = None
    if ident:
        if qualifier == "XX":
            npi = ident
            locs["npi"] = ("NM109", no)
        elif qualifier in ("24", "34", "EI", "FI"):  # 004010: the tax id in NM109
            tax_id = ident
            locs["tax_id"] = ("NM109", no)
    for rno, _, rels in loop.refs:
        if len(rels) > 2 and rels[1] in ("EI", "SY", "TJ") and rels[2]:
            tax_id = rels[2]
            locs["tax_id"] = ("REF02", rno)
            break
    taxonomy = None
    prv = loop.prv
    if prv is None and taxonomy_seg is not None:
        prv = taxonomy_seg
        prv_path = "../" + taxonomy_prefix + "/PRV03" if taxonomy_prefix else "PRV03"
    else:
        prv_path = "PRV03"
    if prv is not None:
        pe = prv[2]
        taxonomy = pe[3] if len(pe) > 3 and pe[3] else None
        if taxonomy is not None:
            locs["taxonomy"] = (prv_path, prv[0])
    return new_provider(
        role=role,
        entity_type=e[2] or None,
        last_or_org_name=e[3] or None,
        first_name=first,
        npi=npi,
        taxonomy=taxonomy,
        tax_id=tax_id,
        address=address(prefix, loop.n3, loop.n4) if (loop.n3 or loop.n4) else None,
        locs=lazy_locs(locs, prefix + "/"),
    )


def person(loop: NameLoop, col: Collector, relationship: Optional[str] = None, relationship_loc: Optional[tuple] = None) -> Person:
    """A subscriber or patient; DMG02 birth date and DMG03 sex are checked as they are read."""
    prefix = loop.prefix
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    locs = {"last_name": ("NM103", no)}
    first, middle, member = e[4] or None, e[5] or None, e[9] or None
    if first is not None:
        locs["first_name"] = ("NM104", no)
    if middle is not None:
        locs["middle_name"] = ("NM105", no)
    if member is not None:
        locs["member_id"] = ("NM109", no)
    birth = sex = None
    if loop.dmg is not None:
        dno = loop.dmg[0]
        d = loop.dmg[2] if len(loop.dmg[2]) > 3 else loop.dmg[2] + _PAD  # reads d[1..3]
        if d[2]:
            birth = parse_d8(d[2]) if d[1] in ("D8", "") else None
            if birth is None:
                birth, _ = col.date_value(d[1] or None, d[2], prefix + "/DMG02", dno)
        sex = d[3] or None
        locs["birth_date"] = ("DMG02", dno)
        if sex is not None:
            locs["sex"] = ("DMG03", dno)
            if sex not in ("F", "M", "U"):
                col.add("X12-CODE", f"DMG03 sex code {sex[:10]!r} is not F, M or U", prefix + "/DMG03", dno)
    if relationship is not None and relationship_loc is not None:
        locs["relationship"] = ("../" + relationship_loc[0], relationship_loc[1])
    return new_person(
        last_name=e[3] or None,
        first_name=first,
        middle_name=middle,
        member_id=member,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        address=address(prefix, loop.n3, loop.n4) if (loop.n3 or loop.n4) else None,
        locs=lazy_locs(locs, prefix + "/"),
    )


def payer(loop: NameLoop) -> Payer:
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    return new_payer(name=e[3] or None, payer_id=e[9] or None,
                     locs=lazy_locs({"name": ("NM103", no), "payer_id": ("NM109", no)}, loop.prefix + "/"))
