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
from scrubber.readers.x12.values import Collector, LazyLocs, element

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


def address(prefix: str, n3: Optional[Seg], n4: Optional[Seg]) -> Optional[Address]:
    if n3 is None and n4 is None:
        return None
    locs: dict = {}
    line1 = line2 = city = state = postal = None
    if n3 is not None:
        no, _, els = n3
        line1, line2 = element(els, 1), element(els, 2)
        locs["line1"] = (prefix + "/N301", no)
        if line2 is not None:
            locs["line2"] = (prefix + "/N302", no)
    if n4 is not None:
        no, _, els = n4
        city, state, postal = element(els, 1), element(els, 2), element(els, 3)
        locs["city"] = (prefix + "/N401", no)
        locs["state"] = (prefix + "/N402", no)
        locs["postal_code"] = (prefix + "/N403", no)
    return Address(line1, line2, city, state, postal, LazyLocs(locs))


def provider(role: str, loop: NameLoop, taxonomy_seg: Optional[Seg] = None, taxonomy_prefix: str = "") -> Provider:
    """A Provider from a name loop; the taxonomy comes from its PRV or, for 2000A, the HL's PRV."""
    prefix = loop.prefix
    no, _, els = loop.nm1
    locs = {"entity_type": (prefix + "/NM102", no), "last_or_org_name": (prefix + "/NM103", no)}
    first = element(els, 4)
    if first is not None:
        locs["first_name"] = (prefix + "/NM104", no)
    qualifier = element(els, 8)
    ident = element(els, 9)
    npi = tax_id = None
    if ident is not None:
        if qualifier == "XX":
            npi = ident
            locs["npi"] = (prefix + "/NM109", no)
        elif qualifier in ("24", "34", "EI", "FI"):  # 004010: the tax id in NM109
            tax_id = ident
            locs["tax_id"] = (prefix + "/NM109", no)
    for rno, _, rels in loop.refs:
        if element(rels, 1) in ("EI", "SY", "TJ") and element(rels, 2):
            tax_id = rels[2]
            locs["tax_id"] = (prefix + "/REF02", rno)
            break
    taxonomy = None
    prv = loop.prv
    if prv is None and taxonomy_seg is not None:
        prv, prefix_prv = taxonomy_seg, taxonomy_prefix
    else:
        prefix_prv = prefix
    if prv is not None:
        taxonomy = element(prv[2], 3)
        if taxonomy is not None:
            locs["taxonomy"] = (prefix_prv + "/PRV03", prv[0])
    return Provider(
        role=role,
        entity_type=element(els, 2),
        last_or_org_name=element(els, 3),
        first_name=first,
        npi=npi,
        taxonomy=taxonomy,
        tax_id=tax_id,
        address=address(prefix, loop.n3, loop.n4),
        locs=LazyLocs(locs),
    )


def person(loop: NameLoop, col: Collector, relationship: Optional[str] = None, relationship_loc: Optional[tuple] = None) -> Person:
    """A subscriber or patient; DMG02 birth date and DMG03 sex are checked as they are read."""
    prefix = loop.prefix
    no, _, els = loop.nm1
    locs = {"last_name": (prefix + "/NM103", no)}
    first, middle, member = element(els, 4), element(els, 5), element(els, 9)
    if first is not None:
        locs["first_name"] = (prefix + "/NM104", no)
    if middle is not None:
        locs["middle_name"] = (prefix + "/NM105", no)
    if member is not None:
        locs["member_id"] = (prefix + "/NM109", no)
    birth = sex = None
    if loop.dmg is not None:
        dno, _, dels = loop.dmg
        birth, _ = col.date_value(element(dels, 1), element(dels, 2), prefix + "/DMG02", dno)
        sex = element(dels, 3)
        locs["birth_date"] = (prefix + "/DMG02", dno)
        if sex is not None:
            locs["sex"] = (prefix + "/DMG03", dno)
            if sex not in ("F", "M", "U"):
                col.add("X12-CODE", f"{prefix}/DMG03: sex code {sex!r} is not F, M or U", prefix + "/DMG03", dno)
    if relationship is not None and relationship_loc is not None:
        locs["relationship"] = relationship_loc
    return Person(
        last_name=element(els, 3),
        first_name=first,
        middle_name=middle,
        member_id=member,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        address=address(prefix, loop.n3, loop.n4),
        locs=LazyLocs(locs),
    )


def payer(loop: NameLoop) -> Payer:
    prefix = loop.prefix
    no, _, els = loop.nm1
    return Payer(
        name=element(els, 3),
        payer_id=element(els, 9),
        locs=LazyLocs({"name": (prefix + "/NM103", no), "payer_id": (prefix + "/NM109", no)}),
    )
