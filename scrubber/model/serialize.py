"""Claim <-> plain dict (the JSON claim form), by introspecting the frozen dataclasses.

The JSON form uses the model's own field names; dates are ISO ``YYYY-MM-DD``,
money and units are JSON numbers or strings, ``locs`` maps field name to
``{"path", "segment"}``. ``claim_from_dict`` is lenient about what is absent
(every field but ``claim_id`` is optional) and strict about types: the JSON
reader validates against the shipped JSON Schema first and reports JSON pointers.
"""
from __future__ import annotations

import dataclasses
import typing
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Optional, Union, get_args, get_origin

from scrubber import model as m

_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls) -> dict[str, Any]:
    h = _HINTS.get(cls)
    if h is None:
        h = typing.get_type_hints(cls, vars(m) | vars(typing) | {"Decimal": Decimal, "date": date})
        _HINTS[cls] = h
    return h


def to_dict(obj) -> Any:
    """A model value as JSON-ready data (Decimal -> str, date -> ISO, locs kept, None fields dropped)."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            if f.name == "raw":
                continue
            v = getattr(obj, f.name)
            if f.name == "locs":
                if v:
                    out["locs"] = {k: loc.to_dict() for k, loc in v.items()}
                continue
            if v is None or v == ():
                continue
            out[f.name] = to_dict(v)
        return out
    if isinstance(obj, tuple):
        return [to_dict(v) for v in obj]
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def _convert(tp, value):
    if value is None:
        return None
    origin = get_origin(tp)
    if origin is Union:
        args = [a for a in get_args(tp) if a is not type(None)]
        return _convert(args[0], value)
    if origin is tuple:
        (item_tp, *_rest) = get_args(tp)
        return tuple(_convert(item_tp, v) for v in value)
    if tp is Decimal:
        return Decimal(str(value))
    if tp is date:
        return date.fromisoformat(value) if isinstance(value, str) else value
    if tp is int:
        return int(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    return value


def from_dict(cls, data: dict):
    """Build dataclass ``cls`` from a dict of its field names (unknown keys raise KeyError)."""
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            raise KeyError(f"unknown field {key!r} for {cls.__name__}")
        if key == "locs":
            kwargs["locs"] = MappingProxyType(
                {k: m.Loc(v.get("path", ""), v.get("segment")) for k, v in (value or {}).items()}
            )
            continue
        kwargs[key] = _convert(hints[key], value)
    return cls(**kwargs)


def claim_from_dict(data: dict, source: Optional[m.Source] = None) -> m.Claim:
    """A Claim from its JSON form. ``kind`` defaults to 837P, ``source`` to the one given."""
    data = dict(data)
    src = data.pop("source", None)
    data.setdefault("kind", "837P")
    claim = from_dict(m.Claim, {**data, "source": src or {"path": "<json>"}})
    if source is not None:
        claim = dataclasses.replace(claim, source=source)
    return claim


def claim_to_dict(claim: m.Claim) -> dict:
    return to_dict(claim)
