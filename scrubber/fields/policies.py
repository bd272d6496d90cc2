"""Derived fields for coverage policies (``rules/policies/``): the diagnoses a line is billed with.

An NCD / LCD says "procedure X is covered only with a diagnosis in list Y". The rule language
quantifies facts existentially (a rule binds one diagnosis at a time), so "no diagnosis of the
claim is in Y" cannot be a test on diagnosis facts. These fields put the diagnoses on the line
and on the claim as code lists, so a policy is one test on one field:

* ``claim.all_dx_codes`` -- every diagnosis on the claim (HI), the "any listed diagnosis" policies;
* ``line.pointed_dx_codes`` -- the diagnoses the line's SV107 pointers name, the "diagnosis the
  line points to" policies (837I lines have no pointers: every claim diagnosis counts).

Codes are as sent, without dots (``Z6835``), joined by spaces in the fact.
"""
from __future__ import annotations

from scrubber.fields.registry import DeriveInput, derived_field


@derived_field("claim", "all_dx_codes", type="list", loc_field="diagnoses")
def all_dx_codes(inp: DeriveInput):
    """Every ICD-10-CM diagnosis code on the claim (ICD-9 codes left out), in HI order."""
    return tuple(d.code for d in inp.claim.diagnoses if not d.is_icd9) or None


@derived_field("line", "pointed_dx_codes", type="list", loc_field="dx_pointers")
def pointed_dx_codes(inp: DeriveInput):
    """The ICD-10-CM codes this line's diagnosis pointers name; all the claim's codes when the line has none."""
    by_position = _codes_by_position(inp.claim)
    pointers = inp.obj.dx_pointers
    if not pointers:
        return tuple(by_position.values()) or None
    return tuple([by_position[p] for p in pointers if p in by_position]) or None


def _codes_by_position(claim) -> dict:
    """Position -> ICD-10-CM code of the claim's diagnoses, built once per claim (every line asks, in a
    row; the claim itself is kept with it, so a new claim can never be mistaken for the last one)."""
    last = _BY_POSITION[0]
    if last is not None and last[0] is claim:
        return last[1]
    by_position = {d.position: d.code for d in claim.diagnoses if not d.is_icd9}
    _BY_POSITION[0] = (claim, by_position)
    return by_position


_BY_POSITION: list = [None]  # (claim, {position: code}) of the claim asked about last
