"""Derived fields, value sets and pair relations backed by reference data (scrubber.refdata).

Each reads the RefData object given to ``Engine(packs, refdata=...)``; without one (some unit
tests) the value is missing and a rule testing it does not fire. The setting of an NCCI / MUE
table follows the claim kind: 837I -> hospital, otherwise practitioner.
"""
from __future__ import annotations

from typing import Optional

from scrubber.rulespec.registry import DeriveInput, derived_field, pair_relation, valueset_provider


def setting_of(claim) -> str:
    return "hospital" if claim.kind == "837I" else "practitioner"


def line_dos(claim, line):
    return line.date_from or claim.service_from


@derived_field("diagnosis", "valid_on_dos", type="bool", loc_field="code")
def valid_on_dos(inp: DeriveInput) -> Optional[bool]:
    """The ICD-10-CM code exists in the edition in force on the claim's date of service."""
    if inp.refdata is None or inp.obj.is_icd9 or inp.claim.service_from is None:
        return None
    return inp.refdata.icd10cm_valid(inp.obj.code, inp.claim.service_from)


@derived_field("diagnosis", "billable_on_dos", type="bool", loc_field="code")
def billable_on_dos(inp: DeriveInput) -> Optional[bool]:
    """The ICD-10-CM code is valid and billable (not a header) on the claim's date of service."""
    if inp.refdata is None or inp.obj.is_icd9 or inp.claim.service_from is None:
        return None
    return inp.refdata.icd10cm_billable(inp.obj.code, inp.claim.service_from)


@derived_field("line", "mue_limit", type="number", loc_field="units")
def mue_limit(inp: DeriveInput):
    """The MUE value for the line's code on its date (CMS MUE table), missing when none applies."""
    dos = line_dos(inp.claim, inp.obj)
    if inp.refdata is None or not inp.obj.code or dos is None:
        return None
    m = inp.refdata.mue(inp.obj.code, dos, setting_of(inp.claim))
    return None if m is None else m.value


@derived_field("line", "mue_mai", type="number", loc_field="units")
def mue_mai(inp: DeriveInput):
    """The MUE adjudication indicator (1 per line, 2 / 3 per date of service) for the line's code."""
    dos = line_dos(inp.claim, inp.obj)
    if inp.refdata is None or not inp.obj.code or dos is None:
        return None
    m = inp.refdata.mue(inp.obj.code, dos, setting_of(inp.claim))
    return None if m is None else m.mai


def _icd_set_names() -> list[str]:
    from scrubber.refdata.icd10cm_sets import SET_NAMES

    return list(SET_NAMES)


@valueset_provider("icd10cm", arguments=_icd_set_names)
def icd10cm_set(argument: str, refdata):
    """ICD-10-CM sets derived from the code set (``icd10cm:maternity``, ``icd10cm:newborn``, ...)."""
    if refdata is None:
        return lambda code: False
    return lambda code: refdata.icd10cm_in_set(code, argument)


@pair_relation("ncci_ptp", "line", "line", fields={"modifier_indicator": "number", "rationale": "text"})
def ncci_ptp(inp: DeriveInput, a, b):
    """An NCCI PTP edit in force with column 1 = line A's code and column 2 = line B's code, same date."""
    if inp.refdata is None or not a.code or not b.code:
        return None
    dos_a, dos_b = line_dos(inp.claim, a), line_dos(inp.claim, b)
    if dos_a is None or dos_a != dos_b:
        return None
    edit = inp.refdata.ptp_edit(a.code, b.code, dos_a, setting_of(inp.claim))
    if edit is None:
        return None
    return {"modifier_indicator": edit.modifier, "rationale": edit.rationale}


@pair_relation("excludes1", "diagnosis", "diagnosis", fields={})
def excludes1(inp: DeriveInput, a, b):
    """An ICD-10-CM Excludes1 note pairs diagnosis A and diagnosis B (either direction)."""
    if inp.refdata is None or a.is_icd9 or b.is_icd9 or a.position > b.position:
        return None  # one fact per unordered pair: A is the earlier-listed diagnosis
    return {} if inp.refdata.excludes1(a.code, b.code) else None
