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
from scrubber.readers.x12.values import Collector, loc_table, masked_locs, parse_d8

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


# ``locs`` tables (values.MaskedLocs): one per kind of object, shared by all of them. Each
# object gives its segment numbers and a mask of the bits below saying which fields it has
# located; a path starting "/" is inside the name loop, any other is outside it.

# Address: segments (N3, N4).
_A_N3, _A_LINE2, _A_N4 = 1, 2, 4
_ADDRESS_LOCS = loc_table(
    ("line1", _A_N3, "/N301", 0), ("line2", _A_LINE2, "/N302", 0),
    ("city", _A_N4, "/N401", 1), ("state", _A_N4, "/N402", 1), ("postal_code", _A_N4, "/N403", 1))

# Provider: segments (NM1, REF with the tax id, PRV with the taxonomy). The tax id is read
# from NM109 (004010) and then, if a REF*EI/SY/TJ has one, from that REF instead.
_V_NAME, _V_FIRST, _V_NPI, _V_TAX_NM1, _V_TAX_REF, _V_TAXONOMY, _V_TAXONOMY_HL = 1, 2, 4, 8, 16, 32, 64
_PROVIDER_LOCS = loc_table(
    ("entity_type", _V_NAME, "/NM102", 0), ("last_or_org_name", _V_NAME, "/NM103", 0),
    ("first_name", _V_FIRST, "/NM104", 0), ("npi", _V_NPI, "/NM109", 0),
    ("tax_id", _V_TAX_REF, "/REF02", 1), ("tax_id", _V_TAX_NM1, "/NM109", 0),
    ("taxonomy", _V_TAXONOMY, "/PRV03", 2))
# The same with the taxonomy from the HL loop's PRV (2000A), outside the name loop: by HL prefix.
_HL_TAXONOMY_LOCS: dict[str, dict] = {}

# Person: segments (NM1, DMG, the SBR or PAT the relationship code was read from).
_P_NAME, _P_FIRST, _P_MIDDLE, _P_MEMBER, _P_DMG, _P_SEX, _P_REL_SBR, _P_REL_PAT = 1, 2, 4, 8, 16, 32, 64, 128
_PERSON_LOCS = loc_table(
    ("last_name", _P_NAME, "/NM103", 0), ("first_name", _P_FIRST, "/NM104", 0),
    ("middle_name", _P_MIDDLE, "/NM105", 0), ("member_id", _P_MEMBER, "/NM109", 0),
    ("birth_date", _P_DMG, "/DMG02", 1), ("sex", _P_SEX, "/DMG03", 1),
    ("relationship", _P_REL_SBR, "2000B/SBR02", 2), ("relationship", _P_REL_PAT, "2000C/PAT01", 2))

# Payer: segment (NM1,); both fields always located.
_PAYER_LOCS = loc_table(("name", 1, "/NM103", 0), ("payer_id", 1, "/NM109", 0))


def _hl_taxonomy_locs(hl_prefix: str) -> dict:
    """The provider table whose taxonomy is at ``{hl_prefix}/PRV03`` (the billing provider's 2000A PRV)."""
    table = _HL_TAXONOMY_LOCS.get(hl_prefix)
    if table is None:
        table = dict(_PROVIDER_LOCS)
        table["taxonomy"] = loc_table(("taxonomy", _V_TAXONOMY, "/PRV03", 2),
                                      ("taxonomy", _V_TAXONOMY_HL, hl_prefix + "/PRV03", 2))["taxonomy"]
        _HL_TAXONOMY_LOCS[hl_prefix] = table
    return table


def address(prefix: str, n3: Optional[Seg], n4: Optional[Seg]) -> Optional[Address]:
    if n3 is None and n4 is None:
        return None
    mask = 0
    line1 = line2 = city = state = postal = None
    n3_no = n4_no = None
    if n3 is not None:
        n3_no = n3[0]
        e = n3[2] if len(n3[2]) > 2 else n3[2] + _PAD  # reads e[1..2]; pad (a copy) only when short
        line1, line2 = e[1] or None, e[2] or None
        mask = _A_N3 | _A_LINE2 if line2 is not None else _A_N3
    if n4 is not None:
        n4_no = n4[0]
        e = n4[2] if len(n4[2]) > 3 else n4[2] + _PAD  # reads e[1..3]
        city, state, postal = e[1] or None, e[2] or None, e[3] or None
        mask |= _A_N4
    return new_address(line1=line1, line2=line2, city=city, state=state, postal_code=postal,
                       locs=masked_locs(_ADDRESS_LOCS, (n3_no, n4_no), prefix, mask))


def provider(role: str, loop: NameLoop, taxonomy_seg: Optional[Seg] = None, taxonomy_prefix: str = "") -> Provider:
    """A Provider from a name loop; the taxonomy comes from its PRV or, for 2000A, the HL's PRV."""
    prefix = loop.prefix
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    table = _PROVIDER_LOCS
    mask = _V_NAME
    first = e[4] or None
    if first is not None:
        mask |= _V_FIRST
    qualifier, ident = e[8], e[9]
    npi = tax_id = None
    if ident:
        if qualifier == "XX":
            npi = ident
            mask |= _V_NPI
        elif qualifier in ("24", "34", "EI", "FI"):  # 004010: the tax id in NM109
            tax_id = ident
            mask |= _V_TAX_NM1
    ref_no = prv_no = None
    for rno, _, rels in loop.refs:
        if len(rels) > 2 and rels[1] in ("EI", "SY", "TJ") and rels[2]:
            tax_id = rels[2]
            ref_no = rno
            mask |= _V_TAX_REF
            break
    taxonomy = None
    prv = loop.prv
    taxonomy_bit = _V_TAXONOMY
    if prv is None and taxonomy_seg is not None:
        prv = taxonomy_seg
        if taxonomy_prefix:
            table = _hl_taxonomy_locs(taxonomy_prefix)
            taxonomy_bit = _V_TAXONOMY_HL
    if prv is not None:
        pe = prv[2]
        taxonomy = pe[3] if len(pe) > 3 and pe[3] else None
        if taxonomy is not None:
            prv_no = prv[0]
            mask |= taxonomy_bit
    return new_provider(
        role=role,
        entity_type=e[2] or None,
        last_or_org_name=e[3] or None,
        first_name=first,
        npi=npi,
        taxonomy=taxonomy,
        tax_id=tax_id,
        address=address(prefix, loop.n3, loop.n4) if (loop.n3 or loop.n4) else None,
        locs=masked_locs(table, (no, ref_no, prv_no), prefix, mask),
    )


def person(loop: NameLoop, col: Collector, relationship: Optional[str] = None, relationship_seg: Optional[Seg] = None) -> Person:
    """A subscriber or patient; DMG02 birth date and DMG03 sex are checked as they are read.

    ``relationship_seg`` is the segment ``relationship`` was read from: the 2000B SBR (SBR02)
    or the 2000C PAT (PAT01); the relationship is located only when both are given.
    """
    prefix = loop.prefix
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    mask = _P_NAME
    first, middle, member = e[4] or None, e[5] or None, e[9] or None
    if first is not None:
        mask |= _P_FIRST
    if middle is not None:
        mask |= _P_MIDDLE
    if member is not None:
        mask |= _P_MEMBER
    birth = sex = None
    dno = rel_no = None
    if loop.dmg is not None:
        dno = loop.dmg[0]
        d = loop.dmg[2] if len(loop.dmg[2]) > 3 else loop.dmg[2] + _PAD  # reads d[1..3]
        if d[2]:
            birth = parse_d8(d[2]) if d[1] in ("D8", "") else None
            if birth is None:
                birth, _ = col.date_value(d[1] or None, d[2], prefix + "/DMG02", dno)
        sex = d[3] or None
        mask |= _P_DMG
        if sex is not None:
            mask |= _P_SEX
            if sex not in ("F", "M", "U"):
                col.add("X12-CODE", f"DMG03 sex code {sex[:10]!r} is not F, M or U", prefix + "/DMG03", dno)
    if relationship is not None and relationship_seg is not None:
        rel_id = relationship_seg[2][0]
        if rel_id == "SBR":
            mask |= _P_REL_SBR
            rel_no = relationship_seg[0]
        elif rel_id == "PAT":
            mask |= _P_REL_PAT
            rel_no = relationship_seg[0]
    return new_person(
        last_name=e[3] or None,
        first_name=first,
        middle_name=middle,
        member_id=member,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        address=address(prefix, loop.n3, loop.n4) if (loop.n3 or loop.n4) else None,
        locs=masked_locs(_PERSON_LOCS, (no, dno, rel_no), prefix, mask),
    )


def payer(loop: NameLoop) -> Payer:
    no = loop.nm1[0]
    e = _nm1_elements(loop.nm1)
    return new_payer(name=e[3] or None, payer_id=e[9] or None, locs=masked_locs(_PAYER_LOCS, (no,), loop.prefix, 1))
