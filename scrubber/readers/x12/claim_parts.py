"""The parts of a claim built from its own segments: HI code lists, service lines, other payers.

``claim_walk.py`` walks a claim's segments and collects them into the builders here
(``LineSegments``, ``OtherPayerSegments``); the functions here turn them into model values.
"""
from __future__ import annotations

from typing import Optional

from scrubber.model import OtherPayer, ServiceLine
from scrubber.readers.x12 import layout
from scrubber.readers.x12.fast import new_code_entry, new_diagnosis, new_line, new_other_payer
from scrubber.readers.x12.names import NameLoop, payer, person, provider
from scrubber.readers.x12 import elements as el
from scrubber.readers.x12.values import Collector, element, field_locs, loc_table, masked_locs, parse_d8

# Segment positions (elements.py): C constants when compiled.
SEG_NO, SEG_ELEMENTS, LX01 = el.SEG_NO, el.SEG_ELEMENTS, el.LX01
SV101, SV102, SV103, SV104, SV105, SV107 = el.SV101, el.SV102, el.SV103, el.SV104, el.SV105, el.SV107
SV201, SV202, SV203, SV204, SV205 = el.SV201, el.SV202, el.SV203, el.SV204, el.SV205
SV301, SV302, SV303, SV306 = el.SV301, el.SV302, el.SV303, el.SV306
DTP01, DTP02, DTP03, REF02, AMT02 = el.DTP01, el.DTP02, el.DTP03, el.REF02, el.AMT02
LIN02, LIN03, CTP04, CTP05 = el.LIN02, el.LIN03, el.CTP04, el.CTP05
SBR01, SBR02, SBR09 = el.SBR01, el.SBR02, el.SBR09
C_QUALIFIER, C_CODE = el.C_QUALIFIER, el.C_CODE
HI_DATE_FORMAT, HI_DATE, HI_AMOUNT, HI_POA = el.HI_DATE_FORMAT, el.HI_DATE, el.HI_AMOUNT, el.HI_POA

_LINE_PREFIX = [f"2400[{i}]" for i in range(100)]
_LINE_PREFIX_SLASH = [p + "/" for p in _LINE_PREFIX]


class LineSegments:
    __slots__ = ("position", "number", "prefix", "lx", "sv1", "sv2", "sv3", "dates", "lin", "ctp", "names", "prior_auth")

    def __init__(self, position: int, lx: tuple):
        self.position = position
        els = lx[SEG_ELEMENTS]
        lx01 = els[LX01] if len(els) > LX01 else ""
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
        qual = parts[C_QUALIFIER]
        code = parts[C_CODE] if len(parts) > C_CODE and parts[C_CODE] else None
        if code is None:
            base = f"2300/HI[{k}]{m:02d}"
            hint = _separator_hint(qual)
            why = f" (it contains {hint!r}: is that meant as the component separator? ISA16 declares {comp!r})" if hint else ""
            col.add("X12-REQ-ELEM", f"HI composite {qual[:12]!r} has no code{why}", base + "-2", no)
            continue
        mm = _HI_INDEX[m] if m < 13 else f"{m:02d}"
        if qual in _DX_QUALIFIERS:
            if len(parts) > HI_POA and parts[HI_POA]:
                poa, table = parts[HI_POA], _DX_POA_LOCS
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
            if qual in ("BH", "BI") and len(parts) > HI_DATE:
                start, end = col.date_value(parts[HI_DATE_FORMAT] or None, parts[HI_DATE] or None, base + "-4", no)
                table = _CODE_DATES_LOCS
            if qual == "BE" and len(parts) > HI_AMOUNT and parts[HI_AMOUNT]:
                amount = col.amount(parts[HI_AMOUNT], base + "-5", no)
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
            if len(parts) > HI_DATE and parts[HI_DATE]:
                start, _ = col.date_value(parts[HI_DATE_FORMAT] or None, parts[HI_DATE], base + "-4", no)
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
    qual = parts[C_QUALIFIER] or None
    code = parts[C_CODE] if len(parts) > C_CODE and parts[C_CODE] else None
    modifiers = tuple([m for m in parts[2:6] if m]) if len(parts) > 2 else ()  # components 3-6
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
        no, _, e = ln.sv1
        sv_no = no
        if len(e) < 8:
            e = e + _PAD8
        if e[SV101]:
            qual, code, modifiers = _procedure(e[SV101], comp)
        if e[SV102]:
            charge = col.amount(e[SV102], p + "/SV102", no)
        basis = e[SV103] or None
        if e[SV104]:
            units = col.amount(e[SV104], p + "/SV104", no)
        pos = e[SV105] or None
        ptr = e[SV107]
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
        no, _, e = ln.sv2
        sv_no = no
        if len(e) < 8:
            e = e + _PAD8
        revenue = e[SV201] or None
        if e[SV202]:
            qual, code, modifiers = _procedure(e[SV202], comp)
        if e[SV203]:
            charge = col.amount(e[SV203], p + "/SV203", no)
        basis = e[SV204] or None
        if e[SV205]:
            units = col.amount(e[SV205], p + "/SV205", no)
    elif ln.sv3 is not None:  # 837D dental: SV301 procedure, SV302 charge, SV303 place, SV306 count
        table = _SV3_LOCS
        no, _, e = ln.sv3
        sv_no = no
        if len(e) < 8:
            e = e + _PAD8
        if e[SV301]:
            qual, code, modifiers = _procedure(e[SV301], comp)
        if e[SV302]:
            charge = col.amount(e[SV302], p + "/SV302", no)
        pos = e[SV303] or None
        if e[SV306]:
            units = col.amount(e[SV306], p + "/SV306", no)
    elif strict:
        want = "SV2" if kind == "837I" else "SV1"
        col.add("X12-REQ-SEG", f"service line {ln.number} has no {want} segment", f"{p}/{want}", ln.lx[SEG_NO])
    date_from = date_to = None
    dtp_no = None
    if ln.dates:
        dtp_no, _, els = ln.dates[0]
        if len(els) > DTP03 and els[DTP02] == "D8":
            date_from = date_to = parse_d8(els[DTP03])
        if date_from is None:
            e = els + _PAD8
            date_from, date_to = col.date_value(e[DTP02] or None, e[DTP03] or None, p + "/DTP03", dtp_no)
    elif strict and kind == "837P":
        col.add("X12-REQ-SEG", f"service line {ln.number} has no service date (DTP*472)", p + "/DTP", ln.lx[SEG_NO])
    ndc = ndc_qty = ndc_unit = None
    lin_no = ctp_no = None
    if ln.lin is not None:
        e = ln.lin[SEG_ELEMENTS] + _PAD8
        if e[LIN02] == "N4":  # N4: the product id is an NDC
            ndc = e[LIN03] or None
            lin_no = ln.lin[SEG_NO]
    if ln.ctp is not None:
        ctp_no = ln.ctp[SEG_NO]
        e = ln.ctp[SEG_ELEMENTS] + _PAD8
        ndc_qty = col.amount(e[CTP04] or None, p + "/2410/CTP04", ctp_no)
        ndc_unit = e[CTP05].split(comp)[0] if e[CTP05] else None  # CTP05-1, the unit code
    pa_no = prior_auth = None
    if ln.prior_auth is not None:  # 2400 REF*G1: line-level prior authorization
        pa_no = ln.prior_auth[SEG_NO]
        prior_auth = (ln.prior_auth[SEG_ELEMENTS] + _PAD8)[REF02] or None
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
        locs=field_locs(table, (ln.lx[SEG_NO], sv_no, dtp_no, lin_no, ctp_no, pa_no),
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
        amt_no, _, amt = op.amt_paid
        paid = col.amount(element(amt, AMT02), p + "/AMT02", amt_no)
        mask |= _O_PAID
    pay_loop = op.names.get("2330B")  # its prefix is p + "/2330B" (claim_walk.py names sub-loops so)
    adjudicated = None
    if pay_loop is not None:
        for dno, _, dels in pay_loop.dtps:
            if element(dels, DTP01) == "573":  # date claim paid
                adjudicated, _ = col.date_value(element(dels, DTP02), element(dels, DTP03), pay_loop.prefix + "/DTP03", dno)
                dtp_no = dno
                mask |= _O_ADJUDICATED
                break
    sub_loop = op.names.get("2330A")
    responsibility = element(els, SBR01)
    if responsibility is not None and responsibility not in layout.SBR_RESPONSIBILITY:
        col.add("X12-CODE", f"SBR01 payer responsibility {responsibility!r} is not one of P S T A-H U", p + "/SBR01", no)
    return new_other_payer(
        responsibility=responsibility,
        relationship=element(els, SBR02),
        claim_filing_indicator=element(els, SBR09),
        payer=payer(pay_loop) if pay_loop is not None else None,
        subscriber=person(sub_loop, col) if sub_loop is not None else None,
        paid_amount=paid,
        adjudication_date=adjudicated,
        locs=masked_locs(_OTHER_PAYER_LOCS, (no, amt_no, dtp_no), p, mask),
    )
