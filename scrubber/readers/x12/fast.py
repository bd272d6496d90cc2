"""Faster constructors for the model's frozen, slotted dataclasses.

A reader builds a dozen model objects per claim; the dataclass ``__init__`` of a frozen
class sets each field through ``object.__setattr__``, which is most of the cost. These
constructors take the same arguments (call them with keywords) and store each field
straight into its slot: the same object, several times faster. ``_fill`` does the stores,
in field order, through the class's slot descriptors (``_SLOTS``). In the compiled reader
(setup.py) it is a C loop in ``fast.pxd`` that writes each value at its descriptor's slot
offset, and the constructors are C functions (``fast.pxd``) whose keyword calls the other
compiled modules resolve at build time (no keyword parsing per call); in pure Python it
calls each descriptor's ``__set__``, which bypasses the frozen ``__setattr__``.

Each constructor is checked at import against its dataclass (same fields, same order, same
defaults): a model change that is not made here too stops the import with a message saying
what to change, instead of building wrong objects. Tests compare every constructor with
the real class.
"""
from __future__ import annotations

import dataclasses
import inspect
import types
from typing import Any, Callable

from scrubber import model as m
try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython

_MISSING = object()
_new = object.__new__
_EMPTY_LOCS = m.EMPTY_LOCS


def _fill_py(o: object, slots: tuple, values: tuple) -> None:
    """Store ``values[i]`` through slot descriptor ``slots[i]`` (compiled: the C loop in fast.pxd)."""
    if len(values) != len(slots):
        raise TypeError(f"{len(values)} values for {len(slots)} slots")
    for d, v in zip(slots, values):
        d.__set__(o, v)


if not cython.compiled:
    _fill = _fill_py


def _slot_descriptors(cls: type) -> "tuple | None":
    """The member descriptors of ``cls``'s fields in field order; None unless every field is a
    plain slot of ``cls`` itself (what ``_fill``'s offset stores require)."""
    out = []
    for f in dataclasses.fields(cls):
        d = cls.__dict__.get(f.name)
        if type(d) is not types.MemberDescriptorType or d.__objclass__ is not cls:
            return None
        out.append(d)
    return tuple(out)

_Claim, _ServiceLine, _Diagnosis, _CodeEntry = m.Claim, m.ServiceLine, m.Diagnosis, m.CodeEntry
_Provider, _Person, _Address, _Payer, _OtherPayer = m.Provider, m.Person, m.Address, m.Payer, m.OtherPayer
_Source, _RawClaim, _ClaimRecord = m.Source, m.RawClaim, m.ClaimRecord


def new_claim(claim_id, kind, source, total_charge=None, place_of_service=None, facility_code_qualifier=None,
                  frequency=None, created=None, service_from=None, service_to=None, statement_from=None,
                  statement_to=None, admission_date=None, discharge_date=None, onset_date=None, providers=(),
                  subscriber=None, patient=None, payer=None, payer_responsibility=None, claim_filing_indicator=None,
                  other_payers=(), prior_authorization=None, referral_number=None, payer_claim_control_number=None,
                  diagnoses=(), condition_codes=(), occurrence_codes=(), value_codes=(), lines=(), raw=None,
                  locs=_EMPTY_LOCS, procedure_codes=(), admission_type=None, admission_source=None,
                  patient_status=None):
    o = _new(_Claim)
    _fill(o, _SLOTS[_Claim], (claim_id, kind, source, total_charge, place_of_service, facility_code_qualifier, frequency, created, service_from, service_to, statement_from, statement_to, admission_date, discharge_date, onset_date, providers, subscriber, patient, payer, payer_responsibility, claim_filing_indicator, other_payers, prior_authorization, referral_number, payer_claim_control_number, diagnoses, condition_codes, occurrence_codes, value_codes, lines, raw, locs, procedure_codes, admission_type, admission_source, patient_status,))
    return o


def new_line(number, code=None, code_qualifier=None, modifiers=(), charge=None, units=None, unit_basis=None,
                 place_of_service=None, dx_pointers=(), date_from=None, date_to=None, revenue_code=None, ndc=None,
                 ndc_quantity=None, ndc_unit=None, providers=(), prior_authorization=None, locs=_EMPTY_LOCS):
    o = _new(_ServiceLine)
    _fill(o, _SLOTS[_ServiceLine], (number, code, code_qualifier, modifiers, charge, units, unit_basis, place_of_service, dx_pointers, date_from, date_to, revenue_code, ndc, ndc_quantity, ndc_unit, providers, prior_authorization, locs,))
    return o


def new_diagnosis(position, code, qualifier, poa=None, locs=_EMPTY_LOCS):
    o = _new(_Diagnosis)
    _fill(o, _SLOTS[_Diagnosis], (position, code, qualifier, poa, locs,))
    return o


def new_code_entry(qualifier, code, date_from=None, date_to=None, amount=None, locs=_EMPTY_LOCS):
    o = _new(_CodeEntry)
    _fill(o, _SLOTS[_CodeEntry], (qualifier, code, date_from, date_to, amount, locs,))
    return o


def new_provider(role, entity_type=None, last_or_org_name=None, first_name=None, npi=None, taxonomy=None,
                     tax_id=None, address=None, locs=_EMPTY_LOCS):
    o = _new(_Provider)
    _fill(o, _SLOTS[_Provider], (role, entity_type, last_or_org_name, first_name, npi, taxonomy, tax_id, address, locs,))
    return o


def new_person(last_name=None, first_name=None, middle_name=None, member_id=None, birth_date=None, sex=None,
                   relationship=None, address=None, locs=_EMPTY_LOCS):
    o = _new(_Person)
    _fill(o, _SLOTS[_Person], (last_name, first_name, middle_name, member_id, birth_date, sex, relationship, address, locs,))
    return o


def new_address(line1=None, line2=None, city=None, state=None, postal_code=None, locs=_EMPTY_LOCS):
    o = _new(_Address)
    _fill(o, _SLOTS[_Address], (line1, line2, city, state, postal_code, locs,))
    return o


def new_payer(name=None, payer_id=None, locs=_EMPTY_LOCS):
    o = _new(_Payer)
    _fill(o, _SLOTS[_Payer], (name, payer_id, locs,))
    return o


def new_other_payer(responsibility=None, relationship=None, claim_filing_indicator=None, payer=None,
                        subscriber=None, paid_amount=None, adjudication_date=None, locs=_EMPTY_LOCS):
    o = _new(_OtherPayer)
    _fill(o, _SLOTS[_OtherPayer], (responsibility, relationship, claim_filing_indicator, payer, subscriber, paid_amount, adjudication_date, locs,))
    return o


def new_source(path, segment=None, interchange=None, group=None, transaction=None, version=None):
    o = _new(_Source)
    _fill(o, _SLOTS[_Source], (path, segment, interchange, group, transaction, version,))
    return o


def new_raw(element_sep, component_sep, repetition_sep, segment_term, isa, gs, header, billing, subscriber,
                patient, claim):
    o = _new(_RawClaim)
    _fill(o, _SLOTS[_RawClaim], (element_sep, component_sep, repetition_sep, segment_term, isa, gs, header, billing, subscriber, patient, claim,))
    return o


def new_record(claim_id, source, claim=None, findings=(), error=None):
    o = _new(_ClaimRecord)
    _fill(o, _SLOTS[_ClaimRecord], (claim_id, source, claim, findings, error,))
    return o

# Slot descriptors per class, in field order: the constructors pass their values in that order.
_SLOTS: dict = {}
for _cls in (_Claim, _ServiceLine, _Diagnosis, _CodeEntry, _Provider, _Person, _Address, _Payer, _OtherPayer,
             _Source, _RawClaim, _ClaimRecord):
    _SLOTS[_cls] = _slot_descriptors(_cls)
    if _SLOTS[_cls] is None or getattr(_cls, "__post_init__", None) is not None:
        raise TypeError(f"scrubber.readers.x12.fast: {_cls.__name__} is not a plain slotted dataclass any more; "
                        "its constructor here cannot fill it")

CONSTRUCTORS = {_Claim: new_claim, _ServiceLine: new_line, _Diagnosis: new_diagnosis, _CodeEntry: new_code_entry,
                _Provider: new_provider, _Person: new_person, _Address: new_address, _Payer: new_payer,
                _OtherPayer: new_other_payer, _Source: new_source, _RawClaim: new_raw, _ClaimRecord: new_record}


def _expected(cls: type) -> list[tuple[str, Any]]:
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            out.append((f.name, _EMPTY_LOCS if f.default_factory() is _EMPTY_LOCS else _MISSING))
        else:
            out.append((f.name, _MISSING))
    return out


def _parameters(fn: Callable) -> list[tuple[str, Any]]:
    return [(p.name, _MISSING if p.default is inspect.Parameter.empty else p.default)
            for p in inspect.signature(fn).parameters.values()]


for _cls, _fn in CONSTRUCTORS.items():
    if _parameters(_fn) != _expected(_cls):
        raise TypeError(f"scrubber.readers.x12.fast.{_fn.__name__} no longer matches the {_cls.__name__} dataclass "
                        "(fields, their order or defaults changed): update it (and fast.pxd) to the model")
