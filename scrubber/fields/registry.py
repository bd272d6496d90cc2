"""Extension points the rule packs build on, registered by name so packs never touch the compiler.

Three registries, each filled by decorators in plain Python modules:

* **derived fields** -- ``@derived_field("line", "units_on_date", type="number")``: a value computed in
  Python once per fact, from a ``DeriveInput`` (claim, the fact's object, ClaimContext, reference data,
  the batch index). Rules read it like any other field.
* **value-set providers** -- ``@valueset_provider("icd10cm-chapter")``: a table-backed value set
  ``icd10cm-chapter:15`` resolved by Python to a membership test, e.g. backed by reference data.
* **pair relations** -- ``@pair_relation("points_to", "line", "diagnosis", fields={...})``: a relation
  between two facts of one claim computed in Python per pair (NCCI PTP, Excludes1), handed to the
  engine as a relation fact that the rule joins on; one rule over a whole table.

The built-ins live in ``scrubber/fields/builtin.py``; every module of the package ``scrubber.fields``
is imported statically by ``scrubber/fields/__init__.py``, so importing this module (which imports
the package first) registers them all. ``ensure_loaded()`` stays for callers that want to say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Optional


class DeriveInput(NamedTuple):
    """What a derived field sees: the claim, the model object behind the fact, and the run's context.

    A NamedTuple (immutable, like the frozen dataclass it was): one is made per fact, ~22 a claim, and
    a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field) cost five times as much."""

    claim: Any  # scrubber.model.Claim
    obj: Any  # the fact's object: Claim, ServiceLine, Diagnosis, Provider, Person or the coverage dict
    context: Any  # scrubber.model.ClaimContext
    refdata: Any  # the reference-data object given to Engine(refdata=...), or None
    batch: Any  # scrubber.engine.batch.BatchState: the run's batch-wide slots and per-claim scratch
    fact: dict  # the base fields of this fact as the rules see them (dates as YYYYMMDD ints)


@dataclass(frozen=True)
class DerivedField:
    fact_type: str
    name: str
    type: str
    func: Callable[[DeriveInput], Any]
    doc: str = ""
    loc_field: Optional[str] = None  # the model field whose Loc a finding on this field points at


@dataclass(frozen=True)
class ValueSetProvider:
    prefix: str
    resolve: Callable[[str, Any], Callable[[str], bool]]  # (argument, refdata) -> membership test
    doc: str = ""
    arguments: Optional[Callable[[], list[str]]] = None  # known arguments, for lint suggestions


@dataclass(frozen=True)
class PairRelation:
    name: str
    from_type: str
    to_type: str
    func: Callable[[DeriveInput, Any, Any], Optional[dict]]  # (input, a_obj, b_obj) -> attributes or None
    fields: dict = field(default_factory=dict)  # attribute name -> type
    doc: str = ""
    # Optional look-up that keeps a relation linear in the claim's size: (claim_input, a_objs, b_objs) ->
    # for each a index, the b indices worth asking ``func`` about (ascending), e.g. by a table keyed by
    # code. Without it every ordered pair is asked, which is quadratic in lines.
    candidates: Optional[Callable[[DeriveInput, list, list], dict]] = None


DERIVED: dict[tuple[str, str], DerivedField] = {}
PROVIDERS: dict[str, ValueSetProvider] = {}
RELATIONS: dict[str, PairRelation] = {}
# Batch-wide slot classes (scrubber.engine.batch): name -> class(state) with commit(claim, context);
# each run's BatchState makes its own instances, so no state of a run lives here.
BATCH_SLOTS: dict[str, type] = {}


def batch_slot(name: str):
    """Register a class as the batch-wide slot ``name`` (one instance per run's BatchState)."""

    def deco(cls):
        if name in BATCH_SLOTS and BATCH_SLOTS[name] is not cls:
            raise ValueError(f"batch slot {name} is registered twice")
        BATCH_SLOTS[name] = cls
        return cls

    return deco


def derived_field(fact_type: str, name: str, *, type: str, loc_field: Optional[str] = None):
    """Register ``func(inp: DeriveInput) -> value | None`` as ``fact_type.name``. None means missing."""

    def deco(func):
        key = (fact_type, name)
        if key in DERIVED and DERIVED[key].func is not func:
            raise ValueError(f"derived field {fact_type}.{name} is registered twice")
        DERIVED[key] = DerivedField(fact_type, name, type, func, (func.__doc__ or "").strip(), loc_field)
        return func

    return deco


def valueset_provider(prefix: str, *, arguments: Optional[Callable[[], list[str]]] = None):
    """Register ``resolve(argument, refdata) -> (code -> bool)`` for value sets named ``prefix:argument``."""

    def deco(func):
        if prefix in PROVIDERS and PROVIDERS[prefix].resolve is not func:
            raise ValueError(f"value-set provider {prefix!r} is registered twice")
        PROVIDERS[prefix] = ValueSetProvider(prefix, func, (func.__doc__ or "").strip(), arguments)
        return func

    return deco


def pair_relation(name: str, from_type: str, to_type: str, *, fields: Optional[dict] = None,
                  candidates: Optional[Callable] = None):
    """Register ``func(inp, a_obj, b_obj) -> dict | None``: attributes of the pair, None = no relation.

    ``candidates(inp, a_objs, b_objs) -> {a_index: [b_index, ...]}`` (optional) names the only pairs
    that can relate, so a claim with thousands of lines is not asked about every pair of them; it
    must never leave out a pair ``func`` would accept (tests compare it with the full enumeration).
    """

    def deco(func):
        if name in RELATIONS and RELATIONS[name].func is not func:
            raise ValueError(f"pair relation {name!r} is registered twice")
        RELATIONS[name] = PairRelation(name, from_type, to_type, func, dict(fields or {}), (func.__doc__ or "").strip(),
                                       candidates)
        return func

    return deco


def ensure_loaded() -> None:
    """Every field module is registered: ``scrubber/fields/__init__.py`` imports them statically."""
    import scrubber.fields  # noqa: F401  (already imported with this module; kept explicit)
