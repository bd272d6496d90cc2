"""Derived fields, value sets and relations for the coding, modifiers and integrity packs.

All reference data comes from ``DeriveInput.refdata`` (``scrubber.refdata.RefData``); a field
is missing (None) when there is no refdata, no date to judge by, or the code is not the kind
the field is about (an ICD-9 diagnosis, an 837I revenue-code-only line).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from scrubber.fields.common import add_dot, dx_date, is_procedure_line, line_date
from scrubber.fields.registry import DeriveInput, derived_field, pair_relation, valueset_provider

ICD10CM_SETS = ("newborn", "pediatric", "maternity", "adult", "female", "male", "manifestation",
                "manifestation-title")


# ---- diagnosis -----------------------------------------------------------------------------------
@derived_field("diagnosis", "code_dotted", type="text", loc_field="code")
def code_dotted(inp: DeriveInput) -> Optional[str]:
    """The code as coders write it (``E11.9``), for messages; ICD-9 codes stay as sent."""
    dx = inp.obj
    return dx.code if dx.is_icd9 else add_dot(dx.code)


@derived_field("diagnosis", "icd10cm_status", type="text", loc_field="code")
def icd10cm_status(inp: DeriveInput) -> Optional[str]:
    """``billable``, ``header`` (a category with subcodes), ``other-edition`` (valid in another
    loaded ICD-10-CM edition but not the one in force on the date of service) or ``invalid``."""
    dx, rd = inp.obj, inp.refdata
    day = dx_date(inp.claim)
    if rd is None or dx.is_icd9 or not dx.code or day is None:
        return None
    if rd.icd10cm_valid(dx.code, day):
        return "billable" if rd.icd10cm_billable(dx.code, day) else "header"
    if rd.icd10cm_title(dx.code) is not None:
        return "other-edition"
    first = _first_edition_date(rd)
    if first is not None and day < first and _ICD10CM_SHAPE.fullmatch(dx.code.upper()):
        return None  # dated before every loaded edition: a well-formed code cannot be judged
    return "invalid"


_ICD10CM_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?")
_FIRST_EDITION: dict[int, Optional[date]] = {}


def _first_edition_date(rd) -> Optional[date]:
    """Effective date of the earliest loaded ICD-10-CM edition (once per RefData object)."""
    key = id(rd)
    if key not in _FIRST_EDITION:
        dates = [e.effective_from for e in rd.store.editions("icd10cm") if e.effective_from]
        _FIRST_EDITION[key] = min(dates) if dates else None
    return _FIRST_EDITION[key]


@derived_field("diagnosis", "icd10cm_edition", type="text", loc_field="code")
def icd10cm_edition(inp: DeriveInput) -> Optional[str]:
    """The ICD-10-CM edition in force on the claim's date (``2026-04-01``, ``FY2025``)."""
    day = dx_date(inp.claim)
    if inp.refdata is None or day is None or inp.obj.is_icd9:
        return None
    return inp.refdata.icd10cm_edition(day)


@derived_field("diagnosis", "icd10cm_sex", type="text", loc_field="code")
def icd10cm_sex(inp: DeriveInput) -> Optional[str]:
    """``female`` or ``male`` when the code is in that derived sex-specific set (docs/refdata.md)."""
    dx, rd = inp.obj, inp.refdata
    if rd is None or dx.is_icd9 or not dx.code:
        return None
    if rd.icd10cm_in_set(dx.code, "female"):
        return "female"
    if rd.icd10cm_in_set(dx.code, "male"):
        return "male"
    return None


@valueset_provider("icd10cm", arguments=lambda: list(ICD10CM_SETS))
def icd10cm_set(argument: str, refdata):
    """ICD-10-CM value sets derived from the CDC tabular (``icd10cm:maternity``, ``icd10cm:newborn``,
    ``icd10cm:pediatric``, ``icd10cm:adult``, ``icd10cm:female``, ``icd10cm:male``,
    ``icd10cm:manifestation``, ``icd10cm:manifestation-title``); empty without reference data."""
    if refdata is None:
        return lambda code: False
    return lambda code: refdata.icd10cm_in_set(code, argument)


@pair_relation("excludes1", "diagnosis", "diagnosis", fields={"codes": "text"})
def excludes1(inp: DeriveInput, a, b) -> Optional[dict]:
    """Two ICD-10-CM codes of one claim that an Excludes1 note pairs (reported once, on the earlier)."""
    rd = inp.refdata
    if rd is None or a.position >= b.position or not a.code or not b.code or a.is_icd9 or b.is_icd9:
        return None  # the position test first: it drops half the ordered pairs cheaply
    if a.code == b.code or not rd.excludes1(a.code, b.code):
        return None
    return {"codes": f"{add_dot(a.code)} and {add_dot(b.code)}"}


# ---- claim ---------------------------------------------------------------------------------------
@derived_field("claim", "sex_edits_active", type="bool", loc_field="service_from")
def sex_edits_active(inp: DeriveInput) -> bool:
    """Whether diagnosis-sex edits apply to this claim under its payer profile's ``sex_edits``
    (``enabled``, ``until``); on when no profile says otherwise."""
    params = inp.context.params or {}
    if "derived.sex_edits_active" in params and params["derived.sex_edits_active"] is not None:
        return bool(params["derived.sex_edits_active"])
    from scrubber.fields.payer_params import sex_edits_active as active

    return active(params, inp.claim.service_from)


@derived_field("claim", "pos_valid", type="bool", loc_field="place_of_service")
def claim_pos_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether CLM05-1 is a CMS place-of-service code; missing on 837I (CLM05-1 is a type of bill there)."""
    c, rd = inp.claim, inp.refdata
    if rd is None or not c.place_of_service or c.kind == "837I" or c.facility_code_qualifier not in (None, "", "B"):
        return None
    return rd.pos_valid(c.place_of_service)


@derived_field("claim", "pos_name", type="text", loc_field="place_of_service")
def claim_pos_name(inp: DeriveInput) -> Optional[str]:
    """The CMS name of the claim's place of service, for messages."""
    c, rd = inp.claim, inp.refdata
    if rd is None or not c.place_of_service or c.kind == "837I":
        return None
    return rd.pos_name(c.place_of_service)


# ---- line ----------------------------------------------------------------------------------------
@derived_field("line", "pos_valid", type="bool", loc_field="place_of_service")
def line_pos_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether SV105 is a CMS place-of-service code; missing when the line has none."""
    if inp.refdata is None or not inp.obj.place_of_service:
        return None
    return inp.refdata.pos_valid(inp.obj.place_of_service)


@derived_field("line", "procedure_shape_ok", type="bool", loc_field="code")
def procedure_shape_ok(inp: DeriveInput) -> Optional[bool]:
    """Whether a CPT/HCPCS code has a possible shape: NNNNN, ANNNN, NNNNF or NNNNT."""
    ln = inp.obj
    if not is_procedure_line(ln):
        return None
    return _procedure_code_shape_ok()(ln.code)


def _procedure_code_shape_ok():
    """scrubber.refdata.hcpcs.procedure_code_shape_ok, imported on first use (once, not per line)."""
    global _SHAPE_OK
    if _SHAPE_OK is None:
        from scrubber.refdata.hcpcs import procedure_code_shape_ok

        _SHAPE_OK = procedure_code_shape_ok
    return _SHAPE_OK


_SHAPE_OK = None


@derived_field("line", "hcpcs_valid", type="bool", loc_field="code")
def hcpcs_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether a HCPCS Level II code is in the imported CMS HCPCS file and in force on the line's
    date; missing without an imported file, for CPT-shaped codes, and for malformed codes."""
    ln, rd = inp.obj, inp.refdata
    day = line_date(inp.claim, ln)
    if rd is None or not is_procedure_line(ln) or day is None:
        return None
    return rd.hcpcs_valid(ln.code, day)


_MODIFIER_SHAPE = re.compile(r"[A-Z0-9]{2}")
_HCPCS_LOADED: dict[int, bool] = {}


def _hcpcs_loaded(rd) -> bool:
    key = id(rd)
    if key not in _HCPCS_LOADED:
        _HCPCS_LOADED[key] = bool(rd.store.editions("hcpcs"))
    return _HCPCS_LOADED[key]


@derived_field("line", "unknown_modifiers", type="text", loc_field="modifiers")
def unknown_modifiers(inp: DeriveInput) -> Optional[str]:
    """The line's modifiers that are not modifiers: not two letters or digits; a two-digit value
    that is not a CPT modifier; a Level II (alphanumeric) value that is in neither claimscrub's
    table nor the imported HCPCS file. Without an imported HCPCS file, alphanumeric values the
    curated table lacks are not judged (CMS has hundreds: RH, TT, U1 ...)."""
    rd = inp.refdata
    if rd is None:
        return None
    bad = []
    for m in inp.obj.modifiers:
        if not m or rd.modifier_known(m):
            continue
        m = m.strip().upper()
        if not _MODIFIER_SHAPE.fullmatch(m) or m.isdigit() or _hcpcs_loaded(rd):
            bad.append(m)
    return " ".join(bad) or None
