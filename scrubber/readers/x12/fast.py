"""Faster constructors for the model's frozen, slotted dataclasses.

A reader builds a dozen model objects per claim; the dataclass ``__init__`` of a frozen
class sets each field through ``object.__setattr__``, which is most of the cost. These
constructors take the same keyword arguments and store each field through the slot's
own descriptor: the same object, about twice as fast. They are only made for
classes without ``__post_init__`` (checked here; tests compare them with the real
constructors field by field).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from scrubber import model as m


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


_MISSING = object()


new_claim = fast_constructor(m.Claim)
new_line = fast_constructor(m.ServiceLine)
new_diagnosis = fast_constructor(m.Diagnosis)
new_code_entry = fast_constructor(m.CodeEntry)
new_provider = fast_constructor(m.Provider)
new_person = fast_constructor(m.Person)
new_address = fast_constructor(m.Address)
new_payer = fast_constructor(m.Payer)
new_other_payer = fast_constructor(m.OtherPayer)
new_source = fast_constructor(m.Source)
new_raw = fast_constructor(m.RawClaim)
new_record = fast_constructor(m.ClaimRecord)
