"""Faster constructors for the model's frozen, slotted dataclasses.

A reader builds a dozen model objects per claim; the dataclass ``__init__`` of a frozen
class sets each field through ``object.__setattr__``, which is most of the cost. These
constructors take the same keyword arguments and store each field straight into its
slot: the same object, several times faster. In the compiled reader (setup.py) the store
is CPython's ``PyObject_GenericSetAttr`` (declared in ``fast.pxd``), which reaches the
slot without the frozen ``__setattr__``; in pure Python it is ``object.__setattr__``.

The constructors below are written out field by field (fast to call, compilable). Each is
used only while its field list still equals the dataclass's (checked at import); a class
whose fields changed since gets ``fast_constructor``'s generated one instead, so a model
change never builds a wrong object. Tests compare every constructor with the real class.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from scrubber import model as m
try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython

_MISSING = object()
_new = object.__new__
_EMPTY_LOCS = m.EMPTY_LOCS
if not cython.compiled:
    _set = object.__setattr__  # compiled: PyObject_GenericSetAttr, cimported in fast.pxd

_Claim, _ServiceLine, _Diagnosis, _CodeEntry = m.Claim, m.ServiceLine, m.Diagnosis, m.CodeEntry
_Provider, _Person, _Address, _Payer, _OtherPayer = m.Provider, m.Person, m.Address, m.Payer, m.OtherPayer
_Source, _RawClaim, _ClaimRecord = m.Source, m.RawClaim, m.ClaimRecord


def fast_constructor(cls: type) -> Callable[..., Any]:
    """``make(**fields)`` building ``cls`` exactly as ``cls(**fields)`` would (keywords only,
    so a field added to the model later cannot shift the others)."""
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        return cls
    ns: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_MISSING": _MISSING}
    params, body = [], ["    o = _new(_cls)"]
    for f in dataclasses.fields(cls):
        n = f.name
        ns[f"_set_{n}"] = getattr(cls, n).__set__
        if f.default is not dataclasses.MISSING:
            ns[f"_d_{n}"] = f.default
            params.append(f"{n}=_d_{n}")
        elif f.default_factory is not dataclasses.MISSING:
            ns[f"_f_{n}"] = f.default_factory
            params.append(f"{n}=_MISSING")
            body.append(f"    if {n} is _MISSING: {n} = _f_{n}()")
        else:
            params.append(n)
        body.append(f"    _set_{n}(o, {n})")
    src = "def make(*, " + ", ".join(params) + "):\n" + "\n".join(body) + "\n    return o\n"
    exec(src, ns)  # noqa: S102 - code built from the dataclass's own field names
    make = ns["make"]
    make.__doc__ = f"{cls.__name__}(**fields), fast."
    return make


def _signature(fn: Callable) -> list[tuple[str, Any]]:
    """(name, default) of each keyword of a written-out constructor, in order."""
    code = fn.__code__
    names = code.co_varnames[code.co_argcount: code.co_argcount + code.co_kwonlyargcount]
    defaults = fn.__kwdefaults__ or {}
    return [(n, defaults.get(n, _MISSING)) for n in names]


def _matches(cls: type, fn: Callable) -> bool:
    """Does ``fn`` take exactly ``cls``'s fields, in order, with the same defaults?"""
    want = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            want.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            want.append((f.name, _EMPTY_LOCS if f.default_factory() is _EMPTY_LOCS else _MISSING))
        else:
            want.append((f.name, _MISSING))
    try:
        return _signature(fn) == want
    except AttributeError:  # a compiled function without __code__ details: compare names only
        return False


def _pick(cls: type, written: Callable) -> Callable[..., Any]:
    if getattr(cls, "__post_init__", None) is None and _matches(cls, written):
        return written
    return fast_constructor(cls)


def _new_claim(*, claim_id, kind, source, total_charge=None, place_of_service=None, facility_code_qualifier=None,
                  frequency=None, created=None, service_from=None, service_to=None, statement_from=None,
                  statement_to=None, admission_date=None, discharge_date=None, onset_date=None, providers=(),
                  subscriber=None, patient=None, payer=None, payer_responsibility=None, claim_filing_indicator=None,
                  other_payers=(), prior_authorization=None, referral_number=None, payer_claim_control_number=None,
                  diagnoses=(), condition_codes=(), occurrence_codes=(), value_codes=(), lines=(), raw=None,
                  locs=_EMPTY_LOCS, procedure_codes=(), admission_type=None, admission_source=None,
                  patient_status=None):
    o = _new(_Claim)
    _set(o, "claim_id", claim_id)
    _set(o, "kind", kind)
    _set(o, "source", source)
    _set(o, "total_charge", total_charge)
    _set(o, "place_of_service", place_of_service)
    _set(o, "facility_code_qualifier", facility_code_qualifier)
    _set(o, "frequency", frequency)
    _set(o, "created", created)
    _set(o, "service_from", service_from)
    _set(o, "service_to", service_to)
    _set(o, "statement_from", statement_from)
    _set(o, "statement_to", statement_to)
    _set(o, "admission_date", admission_date)
    _set(o, "discharge_date", discharge_date)
    _set(o, "onset_date", onset_date)
    _set(o, "providers", providers)
    _set(o, "subscriber", subscriber)
    _set(o, "patient", patient)
    _set(o, "payer", payer)
    _set(o, "payer_responsibility", payer_responsibility)
    _set(o, "claim_filing_indicator", claim_filing_indicator)
    _set(o, "other_payers", other_payers)
    _set(o, "prior_authorization", prior_authorization)
    _set(o, "referral_number", referral_number)
    _set(o, "payer_claim_control_number", payer_claim_control_number)
    _set(o, "diagnoses", diagnoses)
    _set(o, "condition_codes", condition_codes)
    _set(o, "occurrence_codes", occurrence_codes)
    _set(o, "value_codes", value_codes)
    _set(o, "lines", lines)
    _set(o, "raw", raw)
    _set(o, "locs", locs)
    _set(o, "procedure_codes", procedure_codes)
    _set(o, "admission_type", admission_type)
    _set(o, "admission_source", admission_source)
    _set(o, "patient_status", patient_status)
    return o


def _new_line(*, number, code=None, code_qualifier=None, modifiers=(), charge=None, units=None, unit_basis=None,
                 place_of_service=None, dx_pointers=(), date_from=None, date_to=None, revenue_code=None, ndc=None,
                 ndc_quantity=None, ndc_unit=None, providers=(), prior_authorization=None, locs=_EMPTY_LOCS):
    o = _new(_ServiceLine)
    _set(o, "number", number)
    _set(o, "code", code)
    _set(o, "code_qualifier", code_qualifier)
    _set(o, "modifiers", modifiers)
    _set(o, "charge", charge)
    _set(o, "units", units)
    _set(o, "unit_basis", unit_basis)
    _set(o, "place_of_service", place_of_service)
    _set(o, "dx_pointers", dx_pointers)
    _set(o, "date_from", date_from)
    _set(o, "date_to", date_to)
    _set(o, "revenue_code", revenue_code)
    _set(o, "ndc", ndc)
    _set(o, "ndc_quantity", ndc_quantity)
    _set(o, "ndc_unit", ndc_unit)
    _set(o, "providers", providers)
    _set(o, "prior_authorization", prior_authorization)
    _set(o, "locs", locs)
    return o


def _new_diagnosis(*, position, code, qualifier, poa=None, locs=_EMPTY_LOCS):
    o = _new(_Diagnosis)
    _set(o, "position", position)
    _set(o, "code", code)
    _set(o, "qualifier", qualifier)
    _set(o, "poa", poa)
    _set(o, "locs", locs)
    return o


def _new_code_entry(*, qualifier, code, date_from=None, date_to=None, amount=None, locs=_EMPTY_LOCS):
    o = _new(_CodeEntry)
    _set(o, "qualifier", qualifier)
    _set(o, "code", code)
    _set(o, "date_from", date_from)
    _set(o, "date_to", date_to)
    _set(o, "amount", amount)
    _set(o, "locs", locs)
    return o


def _new_provider(*, role, entity_type=None, last_or_org_name=None, first_name=None, npi=None, taxonomy=None,
                     tax_id=None, address=None, locs=_EMPTY_LOCS):
    o = _new(_Provider)
    _set(o, "role", role)
    _set(o, "entity_type", entity_type)
    _set(o, "last_or_org_name", last_or_org_name)
    _set(o, "first_name", first_name)
    _set(o, "npi", npi)
    _set(o, "taxonomy", taxonomy)
    _set(o, "tax_id", tax_id)
    _set(o, "address", address)
    _set(o, "locs", locs)
    return o


def _new_person(*, last_name=None, first_name=None, middle_name=None, member_id=None, birth_date=None, sex=None,
                   relationship=None, address=None, locs=_EMPTY_LOCS):
    o = _new(_Person)
    _set(o, "last_name", last_name)
    _set(o, "first_name", first_name)
    _set(o, "middle_name", middle_name)
    _set(o, "member_id", member_id)
    _set(o, "birth_date", birth_date)
    _set(o, "sex", sex)
    _set(o, "relationship", relationship)
    _set(o, "address", address)
    _set(o, "locs", locs)
    return o


def _new_address(*, line1=None, line2=None, city=None, state=None, postal_code=None, locs=_EMPTY_LOCS):
    o = _new(_Address)
    _set(o, "line1", line1)
    _set(o, "line2", line2)
    _set(o, "city", city)
    _set(o, "state", state)
    _set(o, "postal_code", postal_code)
    _set(o, "locs", locs)
    return o


def _new_payer(*, name=None, payer_id=None, locs=_EMPTY_LOCS):
    o = _new(_Payer)
    _set(o, "name", name)
    _set(o, "payer_id", payer_id)
    _set(o, "locs", locs)
    return o


def _new_other_payer(*, responsibility=None, relationship=None, claim_filing_indicator=None, payer=None,
                        subscriber=None, paid_amount=None, adjudication_date=None, locs=_EMPTY_LOCS):
    o = _new(_OtherPayer)
    _set(o, "responsibility", responsibility)
    _set(o, "relationship", relationship)
    _set(o, "claim_filing_indicator", claim_filing_indicator)
    _set(o, "payer", payer)
    _set(o, "subscriber", subscriber)
    _set(o, "paid_amount", paid_amount)
    _set(o, "adjudication_date", adjudication_date)
    _set(o, "locs", locs)
    return o


def _new_source(*, path, segment=None, interchange=None, group=None, transaction=None, version=None):
    o = _new(_Source)
    _set(o, "path", path)
    _set(o, "segment", segment)
    _set(o, "interchange", interchange)
    _set(o, "group", group)
    _set(o, "transaction", transaction)
    _set(o, "version", version)
    return o


def _new_raw(*, element_sep, component_sep, repetition_sep, segment_term, isa, gs, header, billing, subscriber,
                patient, claim):
    o = _new(_RawClaim)
    _set(o, "element_sep", element_sep)
    _set(o, "component_sep", component_sep)
    _set(o, "repetition_sep", repetition_sep)
    _set(o, "segment_term", segment_term)
    _set(o, "isa", isa)
    _set(o, "gs", gs)
    _set(o, "header", header)
    _set(o, "billing", billing)
    _set(o, "subscriber", subscriber)
    _set(o, "patient", patient)
    _set(o, "claim", claim)
    return o


def _new_record(*, claim_id, source, claim=None, findings=(), error=None):
    o = _new(_ClaimRecord)
    _set(o, "claim_id", claim_id)
    _set(o, "source", source)
    _set(o, "claim", claim)
    _set(o, "findings", findings)
    _set(o, "error", error)
    return o

new_claim = _pick(m.Claim, _new_claim)
new_line = _pick(m.ServiceLine, _new_line)
new_diagnosis = _pick(m.Diagnosis, _new_diagnosis)
new_code_entry = _pick(m.CodeEntry, _new_code_entry)
new_provider = _pick(m.Provider, _new_provider)
new_person = _pick(m.Person, _new_person)
new_address = _pick(m.Address, _new_address)
new_payer = _pick(m.Payer, _new_payer)
new_other_payer = _pick(m.OtherPayer, _new_other_payer)
new_source = _pick(m.Source, _new_source)
new_raw = _pick(m.RawClaim, _new_raw)
new_record = _pick(m.ClaimRecord, _new_record)
