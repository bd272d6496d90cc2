"""The fact types rules test, their fields and the type of each field.

This catalog is the contract between rule files and the engine's fact builder
(``scrubber.engine.facts``): lint rejects a field that is not here (or not a
registered derived field), and the compiler uses the type to convert literals
(dates become ``YYYYMMDD`` integers, text stays text, numbers become floats).

Types: ``text``, ``number``, ``date``, ``bool``, ``list`` (a list of codes;
in facts it is one space-joined text, so ``eq`` / ``matches`` see ``"25 LT"``
and ``in_set`` is true when any item is in the set), ``any`` (payer params).
"""
from __future__ import annotations

FACT_TYPES = ("claim", "line", "diagnosis", "provider", "patient", "coverage")

_COMMON = {"dos": "date"}  # the date of service the fact belongs to (line date, else claim service_from)

BASE_FIELDS: dict[str, dict[str, str]] = {
    "claim": {
        "claim_id": "text", "kind": "text", "total_charge": "number", "place_of_service": "text",
        "facility_code_qualifier": "text", "frequency": "text", "created": "date", "service_from": "date",
        "service_to": "date", "statement_from": "date", "statement_to": "date", "admission_date": "date",
        "discharge_date": "date", "onset_date": "date", "payer_id": "text", "payer_name": "text",
        "payer_responsibility": "text", "claim_filing_indicator": "text", "prior_authorization": "text",
        "referral_number": "text", "payer_claim_control_number": "text", "line_count": "number",
        "diagnosis_count": "number", "condition_codes": "list", "occurrence_codes": "list",
        "value_codes": "list", "profile_id": "text",
    },
    "line": {
        "number": "number", "code": "text", "code_qualifier": "text", "modifiers": "list",
        "modifier1": "text", "modifier2": "text", "modifier3": "text", "modifier4": "text",
        "charge": "number", "units": "number", "unit_basis": "text", "place_of_service": "text",
        "dx_pointers": "list", "date_from": "date", "date_to": "date", "revenue_code": "text",
        "ndc": "text", "ndc_quantity": "number", "ndc_unit": "text", "rendering_npi": "text",
    },
    "diagnosis": {
        "position": "number", "code": "text", "qualifier": "text", "poa": "text",
        "is_principal": "bool", "is_icd9": "bool",
    },
    "provider": {
        "role": "text", "entity_type": "text", "last_or_org_name": "text", "first_name": "text",
        "npi": "text", "taxonomy": "text", "tax_id": "text", "line": "number", "state": "text",
        "postal_code": "text",
    },
    "patient": {
        "last_name": "text", "first_name": "text", "member_id": "text", "birth_date": "date", "sex": "text",
        "relationship": "text", "is_subscriber": "bool", "state": "text", "postal_code": "text",
    },
    "coverage": {
        "member_id": "text", "payer_id": "text", "plan": "text", "start": "date", "end": "date",
        "active": "bool", "responsibility": "text",
    },
}
for _fields in BASE_FIELDS.values():
    _fields.update(_COMMON)

TYPES = ("text", "number", "date", "bool", "list", "any")
ORDERED_TYPES = ("number", "date")  # lt / le / gt / ge / between need one of these

PARAM_PREFIX = "param."  # claim.param.<name>: a payer-profile parameter (ClaimContext.params)


def field_type(fact_type: str, name: str, derived: dict | None = None) -> str | None:
    """The type of ``fact_type.name`` (base, payer param or derived), or None when unknown."""
    if fact_type == "claim" and name.startswith(PARAM_PREFIX) and len(name) > len(PARAM_PREFIX):
        return "any"
    t = BASE_FIELDS.get(fact_type, {}).get(name)
    if t is not None:
        return t
    if derived is not None:
        spec = derived.get((fact_type, name))
        if spec is not None:
            return spec.type
    return None


def fact_key(name: str) -> str:
    """The key a field has inside a durable-rules fact (dots would mean nesting there)."""
    return name.replace(".", "__")
