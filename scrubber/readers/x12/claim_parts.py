"""The parts of a claim built from its own segments: HI code lists, service lines, other payers.

``claim.py`` walks a claim's segments and collects them into the builders here
(``LineSegments``, ``OtherPayerSegments``); the functions here turn them into model values.
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import OtherPayer, ServiceLine
from scrubber.readers.x12 import layout
from scrubber.readers.x12.fast import new_code_entry, new_diagnosis, new_line, new_other_payer
from scrubber.readers.x12.names import NameLoop, payer, person, provider
from scrubber.readers.x12.values import Collector, element, field_locs, loc_table, masked_locs, parse_amount, parse_d8

_PAD = [""] * 24

_LINE_PREFIX = [f"2400[{i}]" for i in range(100)]
_LINE_PREFIX_SLASH = [p + "/" for p in _LINE_PREFIX]


class LineSegments:
    __slots__ = ("position", "number", "prefix", "lx", "sv1", "sv2", "sv3", "dates", "lin", "ctp", "names", "prior_auth")

    def __init__(self, position: int, lx: tuple):
        self.position = position
        lx01 = lx[2][1] if len(lx[2]) > 1 else ""
        self.number = int(lx01) if lx01.isascii() and lx01.isdigit() else position
        self.prefix = _LINE_PREFIX[position] if position < 100 else f"2400[{position}]"
        self.lx = lx
        self.sv1 = self.sv2 = self.sv3 = self.lin = self.ctp = self.prior_auth = None
        self.dates: list[tuple] = []
        self.names: list[tuple[str, NameLoop]] = []


class OtherPayerSegments:
    __slots__ = ("prefix", "sbr", "amt_paid", "names")

    def __init__(self, position: int, sbr: tuple):
        self.prefix = f"2320[{position}]"
        self.sbr = sbr
        self.amt_paid: Optional[tuple] = None
        self.names: dict[str, NameLoop] = {}



def read_hi(els, no, k, comp, col, diagnoses, conditions, occurrences, values, procedures) -> None:
    """One HI segment: diagnoses (position counts across HI segments), and 837I code lists."""
    dx_segments = None  # (no,): the segment of every code of this HI, shared by their locs
    for m in range(1, len(els)):
        composite = els[m]
        if not composite:
            continue
        parts = composite.split(comp)
        qual = parts[0]
        code = parts[1] if len(parts) > 1 and parts[1] else None
        if code is None:
            base = f"2300/HI[{k}]{m:02d}"
            hint = _separator_hint(qual)
            why = f" (it contains {hint!r}: is that meant as the component separator? ISA16 declares {comp!r})" if hint else ""
            col.add("X12-REQ-ELEM", f"HI composite {qual[:12]!r} has no code{why}", base + "-2", no)
            continue
        mm = _HI_INDEX[m] if m < 13 else f"{m:02d}"
        if qual in _DX_QUALIFIERS:
            if len(parts) > 8 and parts[8]:
                poa, table = parts[8], _DX_POA_LOCS
            else:
                poa, table = None, _DX_LOCS
            if dx_segments is None:
                dx_segments = (no,)
            diagnoses.append(new_diagnosis(position=len(diagnoses) + 1, code=code, qualifier=qual, poa=poa,
                                           locs=field_locs(table, dx_segments, _hi_element_prefix(k, m, mm))))
        elif qual in ("BG", "BH", "BI", "BE"):
            table = _CODE_LOCS
            start = end = amount = None
            base = f"2300/HI[{k}]{mm}"
            if qual in ("BH", "BI") and len(parts) > 3:
                start, end = col.date_value(parts[2] or None, parts[3] or None, base + "-4", no)
                table = _CODE_DATES_LOCS
            if qual == "BE" and len(parts) > 4 and parts[4]:
                amount = col.amount(parts[4], base + "-5", no)
                table = _CODE_AMOUNT_LOCS
            if dx_segments is None:
                dx_segments = (no,)
            entry = new_code_entry(qualifier=qual, code=code, date_from=start, date_to=end, amount=amount,
                                   locs=field_locs(table, dx_segments, _hi_element_prefix(k, m, mm)))
            (conditions if qual == "BG" else values if qual == "BE" else occurrences).append(entry)
        elif qual in ("BBR", "BBQ", "BR", "BQ"):
            base = f"2300/HI[{k}]{mm}"
            start = None
            table = _CODE_LOCS
            if len(parts) > 3 and parts[3]:
                start, _ = col.date_value(parts[2] or None, parts[3], base + "-4", no)
                table = _PROCEDURE_DATE_LOCS
            if dx_segments is None:
                dx_segments = (no,)
            procedures.append(new_code_entry(qualifier=qual, code=code, date_from=start, date_to=start, amount=None,
                                             locs=field_locs(table, dx_segments, _hi_element_prefix(k, m, mm))))
        elif qual not in layout.OTHER_HI_QUALIFIERS:
            base = f"2300/HI[{k}]{mm}"
            col.add("X12-CODE", f"{qual[:10]!r} is not an HI code list qualifier", base + "-1", no)


def _separator_hint(qual: str):
    """The first character of ``qual`` that looks like a component separator, if any."""
    return next((c for c in ">:^|\\!" if c in qual), None)


_HI_INDEX = [f"{m:02d}" for m in range(13)]
# FieldLocs tables of HI codes, after the composite's prefix (2300/HI[2]03): "-2" is HI02-2.
_DX_LOCS = {"code": ("-2", 0), "qualifier": ("-1", 0)}
_DX_POA_LOCS = {**_DX_LOCS, "poa": ("-9", 0)}
_CODE_LOCS = _DX_LOCS  # condition codes, procedures without a date
_CODE_DATES_LOCS = {**_CODE_LOCS, "date_from": ("-4", 0), "date_to": ("-4", 0)}  # occurrences, occurrence spans
_CODE_AMOUNT_LOCS = {**_CODE_LOCS, "amount": ("-5", 0)}  # value codes with an amount
_PROCEDURE_DATE_LOCS = {**_CODE_LOCS, "date_from": ("-4", 0)}



_HI_PREFIX = [f"2300/HI[{k}]" for k in range(40)]
_DX_PREFIX = [[f"2300/HI[{k}]{m:02d}" for m in range(13)] for k in range(40)]  # = _hi_prefix(k) + _HI_INDEX[m]
_DX_QUALIFIERS = layout.DIAGNOSIS_QUALIFIERS


def _hi_prefix(k: int) -> str:
    return _HI_PREFIX[k] if k < 40 else f"2300/HI[{k}]"


def _hi_element_prefix(k: int, m: int, mm: str) -> str:
    """``2300/HI[k]`` + element ``mm`` (HI``mm``), precomputed for the usual k < 40, m < 13."""
    return _DX_PREFIX[k][m] if k < 40 and m < 13 else _hi_prefix(k) + mm


_LINE_COMMON = {"number": ("LX01", 0), "date_from": ("DTP03", 2), "date_to": ("DTP03", 2),
                "ndc": ("2410/LIN03", 3), "ndc_quantity": ("2410/CTP04", 4), "ndc_unit": ("2410/CTP05-1", 4),
                "prior_authorization": ("REF02", 5)}
_SV1_LOCS = {**_LINE_COMMON, "code_qualifier": ("SV101-1", 1), "code": ("SV101-2", 1), "modifiers": ("SV101-3", 1),
             "charge": ("SV102", 1), "unit_basis": ("SV103", 1), "units": ("SV104", 1), "place_of_service": ("SV105", 1),
             "dx_pointers": ("SV107", 1)}
_SV2_LOCS = {**_LINE_COMMON, "revenue_code": ("SV201", 1), "code_qualifier": ("SV202-1", 1), "code": ("SV202-2", 1),
             "modifiers": ("SV202-3", 1), "charge": ("SV203", 1), "unit_basis": ("SV204", 1), "units": ("SV205", 1)}
_SV3_LOCS = {**_LINE_COMMON, "code_qualifier": ("SV301-1", 1), "code": ("SV301-2", 1), "modifiers": ("SV301-3", 1),
             "charge": ("SV302", 1), "place_of_service": ("SV303", 1), "units": ("SV306", 1)}
_PAD8 = [""] * 8


def _procedure(composite: str, comp: str) -> tuple:
    """SV101 / SV202 / SV301 composite: (qualifier, code, up to four modifiers)."""
    parts = composite.split(comp)
    qual = parts[0] or None
    code = parts[1] if len(parts) > 1 and parts[1] else None
    modifiers = tuple([m for m in parts[2:6] if m]) if len(parts) > 2 else ()
    return qual, code, modifiers


def build_line(ln: LineSegments, kind: str, comp: str, col: Collector, strict: bool) -> ServiceLine:
    p = ln.prefix
    col.line = ln.number
    code = qual = charge = units = basis = pos = revenue = None
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = ()
    table = _SV1_LOCS
    sv_no = None
    if ln.sv1 is not None:
        sv_no = no = ln.sv1[0]
        e = ln.sv1[2]
        if len(e) < 8:
            e = e + _PAD8
        if e[1]:
            qual, code, modifiers = _procedure(e[1], comp)
        if e[2]:
            charge = col.amount(e[2], p + "/SV102", no)
        basis = e[3] or None
        if e[4]:
            units = col.amount(e[4], p + "/SV104", no)
        pos = e[5] or None
        ptr = e[7]
        if ptr:
            if ptr.isascii() and ptr.isdigit():
                pointers = (int(ptr),)
            else:
                found = []
                for x in ptr.split(comp):
                    if x.isascii() and x.isdigit():
                        found.append(int(x))
                    elif x:
                        col.add("X12-CODE", f"SV107 diagnosis pointer {x[:10]!r} is not a number 1-12", p + "/SV107", no)
                pointers = tuple(found)
    elif ln.sv2 is not None:
        table = _SV2_LOCS
        sv_no = no = ln.sv2[0]
        e = ln.sv2[2]
        if len(e) < 8:
            e = e + _PAD8
        revenue = e[1] or None
        if e[2]:
            qual, code, modifiers = _procedure(e[2], comp)
        if e[3]:
            charge = col.amount(e[3], p + "/SV203", no)
        basis = e[4] or None
        if e[5]:
            units = col.amount(e[5], p + "/SV205", no)
    elif ln.sv3 is not None:  # 837D dental: SV301 procedure, SV302 charge, SV303 place, SV306 count
        table = _SV3_LOCS
        sv_no = no = ln.sv3[0]
        e = ln.sv3[2]
        if len(e) < 8:
            e = e + _PAD8
        if e[1]:
            qual, code, modifiers = _procedure(e[1], comp)
        if e[2]:
            charge = col.amount(e[2], p + "/SV302", no)
        pos = e[3] or None
        if e[6]:
            units = col.amount(e[6], p + "/SV306", no)
    elif strict:
        want = "SV2" if kind == "837I" else "SV1"
        col.add("X12-REQ-SEG", f"service line {ln.number} has no {want} segment", f"{p}/{want}", ln.lx[0])
    date_from = date_to = None
    dtp_no = None
    if ln.dates:
        dtp_no, _, els = ln.dates[0]
        if len(els) > 3 and els[2] == "D8":
            date_from = date_to = parse_d8(els[3])
        if date_from is None:
            e = els + _PAD8
            date_from, date_to = col.date_value(e[2] or None, e[3] or None, p + "/DTP03", dtp_no)
    elif strict and kind == "837P":
        col.add("X12-REQ-SEG", f"service line {ln.number} has no service date (DTP*472)", p + "/DTP", ln.lx[0])
    ndc = ndc_qty = ndc_unit = None
    lin_no = ctp_no = None
    if ln.lin is not None:
        e = ln.lin[2] + _PAD8
        if e[2] == "N4":
            ndc = e[3] or None
            lin_no = ln.lin[0]
    if ln.ctp is not None:
        ctp_no = ln.ctp[0]
        e = ln.ctp[2] + _PAD8
        ndc_qty = col.amount(e[4] or None, p + "/2410/CTP04", ctp_no)
        ndc_unit = e[5].split(comp)[0] if e[5] else None
    pa_no = prior_auth = None
    if ln.prior_auth is not None:  # 2400 REF*G1: line-level prior authorization
        pa_no = ln.prior_auth[0]
        prior_auth = (ln.prior_auth[2] + _PAD8)[2] or None
    return new_line(
        number=ln.number,
        code=code,
        code_qualifier=qual,
        modifiers=modifiers,
        charge=charge,
        units=units,
        unit_basis=basis,
        place_of_service=pos,
        dx_pointers=pointers,
        date_from=date_from,
        date_to=date_to,
        revenue_code=revenue,
        ndc=ndc,
        ndc_quantity=ndc_qty,
        ndc_unit=ndc_unit,
        providers=tuple([provider(role, nl) for role, nl in ln.names]) if ln.names else (),
        prior_authorization=prior_auth,
        locs=field_locs(table, (ln.lx[0], sv_no, dtp_no, lin_no, ctp_no, pa_no),
                        _LINE_PREFIX_SLASH[ln.position] if ln.position < 100 else p + "/"),
    )


# MaskedLocs table of an other payer (2320[n]): segments (SBR, AMT*D, the 2330B DTP*573).
_O_SBR, _O_PAID, _O_ADJUDICATED = 1, 2, 4
_OTHER_PAYER_LOCS = loc_table(
    ("responsibility", _O_SBR, "/SBR01", 0), ("relationship", _O_SBR, "/SBR02", 0),
    ("claim_filing_indicator", _O_SBR, "/SBR09", 0), ("paid_amount", _O_PAID, "/AMT02", 1),
    ("adjudication_date", _O_ADJUDICATED, "/2330B/DTP03", 2))


def build_other(op: OtherPayerSegments, col: Collector) -> OtherPayer:
    no, _, els = op.sbr
    p = op.prefix
    mask = _O_SBR
    paid = amt_no = dtp_no = None
    if op.amt_paid is not None:
        amt_no = op.amt_paid[0]
        paid = col.amount(element(op.amt_paid[2], 2), p + "/AMT02", amt_no)
        mask |= _O_PAID
    pay_loop = op.names.get("2330B")  # its prefix is p + "/2330B" (claim.py names sub-loops so)
    adjudicated = None
    if pay_loop is not None:
        for dno, _, dels in pay_loop.dtps:
            if element(dels, 1) == "573":
                adjudicated, _ = col.date_value(element(dels, 2), element(dels, 3), pay_loop.prefix + "/DTP03", dno)
                dtp_no = dno
                mask |= _O_ADJUDICATED
                break
    sub_loop = op.names.get("2330A")
    responsibility = element(els, 1)
    if responsibility is not None and responsibility not in layout.SBR_RESPONSIBILITY:
        col.add("X12-CODE", f"SBR01 payer responsibility {responsibility!r} is not one of P S T A-H U", p + "/SBR01", no)
    return new_other_payer(
        responsibility=responsibility,
        relationship=element(els, 2),
        claim_filing_indicator=element(els, 9),
        payer=payer(pay_loop) if pay_loop is not None else None,
        subscriber=person(sub_loop, col) if sub_loop is not None else None,
        paid_amount=paid,
        adjudication_date=adjudicated,
        locs=masked_locs(_OTHER_PAYER_LOCS, (no, amt_no, dtp_no), p, mask),
    )
