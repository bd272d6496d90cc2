"""JSON claims -> ClaimRecords: validated against the shipped schema, errors named by JSON pointer.

A file holds one claim object, a list of them, or ``{"claims": [...]}``; the claim form
is ``scrubber.model.serialize`` (model field names). Each claim is validated on its own
against ``scrubber/schemas/claim.schema.json``: an invalid one becomes an unreadable
ClaimRecord whose error names the JSON pointer (``/claims/3/lines/0/charge: 'abc' is not
a number``) and the rest of the file goes on. Values without a ``locs`` entry get their
JSON pointer as location, so findings on JSON claims point into the file too.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator, Optional, Union

from scrubber import model as m
from scrubber.model import ClaimRecord, RunError, Source
from scrubber.model.schema_words import schema_message
from scrubber.model.serialize import claim_from_dict

Record = Union[ClaimRecord, RunError]


@lru_cache(maxsize=1)
def claim_schema() -> dict:
    return json.loads(resources.files("scrubber").joinpath("schemas/claim.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    cls = jsonschema.Draft202012Validator
    return cls(claim_schema(), format_checker=cls.FORMAT_CHECKER)


def read_json(data: bytes, path: str) -> Iterator[Record]:
    """Every claim in a JSON claims file, in order; a RunError when the file is not usable JSON."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield RunError("unreadable-file", f"not UTF-8 text (byte {exc.start})", path, None)
        return
    except json.JSONDecodeError as exc:
        yield RunError("unreadable-file", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path, None)
        return
    except RecursionError:
        yield RunError("unreadable-file", "invalid JSON: nested too deeply", path, None)
        return
    if isinstance(doc, dict) and "claims" in doc and "claim_id" not in doc:
        items, base = doc["claims"], "/claims"
        if not isinstance(items, list):
            yield RunError("unreadable-file", "/claims: expected a list of claims", path, None)
            return
    elif isinstance(doc, list):
        items, base = doc, ""
    elif isinstance(doc, dict):
        items, base = [doc], None
    else:
        yield RunError("unreadable-file", "a JSON claims file holds a claim object, a list of claims, or {\"claims\": [...]}", path, None)
        return
    if base != "/claims" and items and not any(isinstance(i, dict) and "claim_id" in i for i in items):
        # Not every JSON file in a folder is a claims file (a manifest, a config): say so once.
        yield RunError("unreadable-file", "not a JSON claims file: no object in it has a claim_id", path, None)
        return
    for index, item in enumerate(items):
        pointer = "" if base is None else f"{base}/{index}"
        yield _record(item, pointer, index, path)


def _record(item: Any, pointer: str, index: int, path: str) -> ClaimRecord:
    source = Source(path, index + 1)
    claim_id = item.get("claim_id") if isinstance(item, dict) else None
    if not isinstance(claim_id, str) or not claim_id:
        claim_id = f"<claim {index + 1} in file>"
    item = _drop_nulls(item)
    problem = _first_error(item, pointer)
    claim = None
    if problem is None:
        try:
            claim = claim_from_dict(_with_defaults(item, pointer), source)
        except Exception as exc:  # schema-valid but not buildable: unreadable, never a crash
            problem = f"{pointer or '/'}: the claim cannot be built ({type(exc).__name__}: {exc})"
    if problem is not None:
        return ClaimRecord(claim_id, source, None, (), RunError("unreadable-claim", problem, path, index + 1))
    return ClaimRecord(claim.claim_id, source, claim)


def _drop_nulls(value: Any) -> Any:
    """A null field means the same as an absent one (list items keep their places)."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _first_error(item: Any, pointer: str) -> Optional[str]:
    """The first schema error (in document order) as ``pointer: message``, with a count of the rest."""
    errors = sorted(_validator().iter_errors(item), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    first = errors[0]
    where = pointer + "".join(f"/{p}" for p in first.absolute_path)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{where or '/'}: {schema_message(first)}{more}"


def _with_defaults(item: dict, pointer: str) -> dict:
    """The claim dict with positions / line numbers filled and JSON-pointer locations added.

    As for an 837, a claim that gives no ``service_from`` / ``service_to`` spans its lines'
    dates: the date-of-service rules (code validity, age, timely filing) need it.
    """
    item = dict(item)
    lines = [ln for ln in item.get("lines") or () if isinstance(ln, dict)]
    starts = [ln["date_from"] for ln in lines if isinstance(ln.get("date_from"), str)]
    ends = [ln.get("date_to") or ln["date_from"] for ln in lines if isinstance(ln.get("date_from"), str)]
    if not item.get("service_from") and starts:
        item["service_from"] = min(starts)
    if not item.get("service_to") and ends:
        item["service_to"] = max(e for e in ends if isinstance(e, str))
    return _fill(m.Claim, item, pointer)


@lru_cache(maxsize=None)
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dataclass_of(tp) -> Optional[type]:
    origin = typing.get_origin(tp)
    if origin is Union:
        for arg in typing.get_args(tp):
            if dataclasses.is_dataclass(arg):
                return arg
        return None
    if origin is tuple:
        return None
    return tp if dataclasses.is_dataclass(tp) else None


def _item_dataclass(tp) -> Optional[type]:
    if typing.get_origin(tp) is tuple:
        (item, *_rest) = typing.get_args(tp)
        return item if dataclasses.is_dataclass(item) else None
    return None


def _fill(cls, data: dict, pointer: str) -> dict:
    hints = _hints(cls)
    out = dict(data)
    has_locs = "locs" in hints
    locs = dict(out.get("locs") or {}) if has_locs else None
    for key, value in data.items():
        if key in ("locs", "source") or value is None:
            continue
        here = f"{pointer}/{key}"
        tp = hints.get(key)
        sub = _dataclass_of(tp)
        items = _item_dataclass(tp)
        if sub is not None and isinstance(value, dict):
            out[key] = _fill(sub, value, here)
        elif items is not None and isinstance(value, list):
            filled = []
            for i, v in enumerate(value):
                v = _fill(items, v, f"{here}/{i}") if isinstance(v, dict) else v
                if items is m.Diagnosis and isinstance(v, dict):
                    v.setdefault("position", i + 1)
                if items is m.ServiceLine and isinstance(v, dict):
                    v.setdefault("number", i + 1)
                filled.append(v)
            out[key] = filled
        if has_locs and key not in locs:
            locs[key] = {"path": here, "segment": None}
    if has_locs and locs:
        out["locs"] = locs
    return out
