"""Derived fields, value sets and pair relations backed by reference data (scrubber.refdata).

Each reads the RefData object given to ``Engine(packs, refdata=...)``; without one (some unit
tests) the value is missing and a rule testing it does not fire. The setting of an NCCI / MUE
table follows the claim kind: 837I -> hospital, otherwise practitioner.
"""
from __future__ import annotations

from typing import Optional

from scrubber.fields.registry import DeriveInput, derived_field


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


# The MUE adjudication indicator (line.mue_mai), the icd10cm:<set> value sets and the ncci_ptp and
# excludes1 relations are registered once, by the standard packs' modules coding.py and
# ncci.py beside this file (same names, with the setting, same-provider and indicator-9
# rules NCCI needs); a second registration of a name is an error at start-up.
