"""Facts from claims: the plain dicts both durable-rules and the oracle evaluate.

Every fact carries ``t`` (its type), ``cid`` (the claim's number in the batch: every join
matches on it), ``i`` (its index among the claim's facts of that type), and the fields the
rules read under ``scrubber.rulespec.fields.fact_key`` names. Missing values are absent keys.
Dates are ``YYYYMMDD`` integers, money and units floats, code lists one space-joined text.
Derived fields and tags are computed here, once per fact, in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from scrubber.engine.base import BaseFields, _key, _put, base_objects, plain  # noqa: F401 - plain re-exported
from scrubber.engine.batch import BatchState
from scrubber.engine.factgen import type_builder
from scrubber.engine.plan import REF_SENTINEL, FactPlan, ref_keys
from scrubber.engine.tags import compare, literal_test, tag_function  # noqa: F401 - compare, literal_test re-exported
from scrubber.model import Claim, ClaimContext
from scrubber.fields.registry import RELATIONS, DeriveInput

DEFAULT_CONTEXT = ClaimContext()


_NO_LISTS: dict = {}  # the raw lists of a fact type none of whose tags tests a value set (never written)


@dataclass(slots=True)
class Fact:
    type: str
    idx: int
    obj: Any
    values: dict


@dataclass
class ClaimFacts:
    cid: int
    claim: Claim
    context: ClaimContext
    facts: dict = field(default_factory=dict)  # type -> [Fact]; relations under "rel:<name>"
    errors: list = field(default_factory=list)  # (what failed, message)

    def all_values(self) -> list[dict]:
        return [f.values for fs in self.facts.values() for f in fs]


def _tag_rows(plan: FactPlan, type_key: str) -> tuple:
    """The plan's ref copies and the function computing the tags of one fact type (fact keys resolved),
    memoised on the plan (a plan only ever gains tags, while it is being built)."""
    memo = plan.__dict__.setdefault("_tag_rows_memo", {})
    rows = memo.get(type_key)
    if rows is None or rows[2] != len(plan.tag_of):
        copies = tuple((_key(fname), *ref_keys(fname), REF_SENTINEL[ftype])
                       for fname, ftype in plan.ref_copies.get(type_key, {}).items())
        forms = [(tag.key, tag.form) for tag in plan.tags.get(type_key, ())]
        from_claim = tuple(plan.claim_copies.get(type_key, {}).items()) if type_key != "claim" else ()
        rows = memo[type_key] = (copies, tag_function(forms), len(plan.tag_of), _lists_read(type_key, forms),
                                 from_claim)
    return rows


_BASE_LISTS = {"line": frozenset(("modifiers", "dx_pointers")),  # the list fields ``_raw_lists`` gives
               "claim": frozenset(("condition_codes", "occurrence_codes", "value_codes"))}


def _lists_read(type_key: str, forms: list) -> str:
    """Which raw lists a fact type's tags need: ``""`` none (no ``in_set`` test: list fields are read
    as their text), ``"derived"`` only derived list fields (``in_set`` on fields none of which is one
    of ``_raw_lists``'s), ``"base"`` the ``_raw_lists`` of the fact too. Why: most ``in_set`` tests are
    on a code; building the line's raw lists for them was a dict and two lists per line for nothing."""
    if not any(_reads_set(f) for _, f in forms):
        return ""
    read: set = set()
    for _, f in forms:
        _list_fields(f, read)
    return "base" if read & _BASE_LISTS.get(type_key, frozenset()) else "derived"


def _list_fields(form: tuple, out: set) -> None:
    """The fields a canonical tag form reads as lists (``in_set``, ``any_in``, ``all_in``, ``none_in``)."""
    if form[0] == "t":
        if form[2] in ("in_set", "any_in", "all_in", "none_in"):
            out.add(form[1])
    elif form[0] == "not":
        _list_fields(form[1], out)
    elif form[0] in ("all", "any"):
        for f in form[1]:
            _list_fields(f, out)


def _reads_set(form: tuple) -> bool:
    """Whether a canonical tag form has an ``in_set`` test (the only test that reads list fields as lists)."""
    if form[0] == "t":
        return form[2] == "in_set"
    if form[0] == "not":
        return _reads_set(form[1])
    return form[0] in ("all", "any") and any(_reads_set(f) for f in form[1])


def _apply_tags(rows: tuple, type_key: str, values: dict, valuesets, raw_lists, obj,
                claim_values: Optional[dict] = None) -> None:
    """Presence flags and copies of fields compared across facts, the claim fields the type's tags read
    (``plan.engine_when``), then every tag of the fact type, from the type's ``rows`` (``_tag_rows``,
    looked up once per claim and type, not per fact). ``raw_lists``: list fields as lists, or a
    function of ``obj`` giving them (called only when a tag of the type tests a value set)."""
    copies, tags, _, reads_set, from_claim = rows
    if from_claim and claim_values is not None:
        for src, dst in from_claim:
            v = claim_values.get(src)
            if v is not None:
                values[dst] = v
    if callable(raw_lists):
        raw_lists = raw_lists(type_key, obj) if reads_set else {}
    for key, copy_key, has_key, sentinel in copies:
        v = values.get(key)
        values[copy_key] = v if v is not None else sentinel
        values[has_key] = v is not None
    tags(values, raw_lists, valuesets)


def _raw_lists(ftype: str, obj) -> dict:
    """List fields as lists (``in_set`` on a list is true when any item is in the set): ``_BASE_LISTS``."""
    if ftype == "line":
        return {"modifiers": list(obj.modifiers), "dx_pointers": [str(p) for p in obj.dx_pointers]}
    if ftype == "claim":
        return {"condition_codes": [e.code for e in obj.condition_codes],
                "occurrence_codes": [e.code for e in obj.occurrence_codes],
                "value_codes": [e.code for e in obj.value_codes]}
    return {}


def _derived_rows(plan: FactPlan, ftype: str) -> tuple:
    """(function, fact key, name) of each derived field of a fact type, memoised on the plan."""
    memo = plan.__dict__.setdefault("_derived_rows_memo", {})
    rows = memo.get(ftype)
    if rows is None:
        rows = memo[ftype] = tuple((spec.func, _key(spec.name), spec.name) for spec in plan.derived.get(ftype, ()))
    return rows


def _filler(plan: FactPlan, type_key: str, tag_rows: tuple) -> tuple:
    """The join keys (``FactPlan.join_keys``) a fact of this type may lack, with their filler values.

    ``cid`` and ``i`` are on every fact, ``ra`` / ``rb`` on every relation fact and the type's own
    copies and presence flags on each of its facts, so only the rest is checked fact by fact."""
    memo = plan.__dict__.setdefault("_filler_memo", {})
    hit = memo.get(type_key)
    if hit is None or hit[0] is not tag_rows:
        fill = plan.__dict__.get("_join_keys_memo")
        if fill is None:
            fill = plan.__dict__["_join_keys_memo"] = plan.join_keys()
        present = {"cid", "i"} | ({"ra", "rb"} if type_key.startswith("rel:") else set())
        present.update(k for _, copy_key, has_key, _ in tag_rows[0] for k in (copy_key, has_key))
        hit = memo[type_key] = (tag_rows, tuple((k, v) for k, v in fill.items() if k not in present))
    return hit[1]


def _put_derived(values: dict, key: str, name: str, v, derived_lists: Optional[dict]) -> Optional[dict]:
    """Store a derived value under ``key`` as ``plain`` would (text, numbers and bools inline: the hot
    cases); returns the fact's derived list fields, extended when ``v`` is a list or tuple."""
    cls = v.__class__
    if cls is str:
        if v:
            values[key] = v
        return derived_lists
    if cls is bool or cls is int or cls is float:
        values[key] = v
        return derived_lists
    if cls is list or cls is tuple:  # in_set tests each item, as on a base list
        derived_lists = derived_lists or {}
        derived_lists[name] = [str(x) for x in v]
    v = plain(v)
    if v is not None:
        values[key] = v
    return derived_lists


def _builder(plan: FactPlan, ftype: str, rows: tuple):
    """The generated function building a claim's facts of one type (``factgen.type_builder``, filling the
    join keys they lack), memoised on the plan and rebuilt when the type's tag rows are (a plan only
    gains tags while it is being built)."""
    memo = plan.__dict__.setdefault("_builder_memo", {})
    hit = memo.get(ftype)
    if hit is None or hit[0] is not rows:
        hit = memo[ftype] = (rows, type_builder(ftype, _derived_rows(plan, ftype), rows, _BUILDER_HELPERS,
                                                _filler(plan, ftype, rows)))
    return hit[1]


def _steps(plan: FactPlan) -> tuple:
    """What ``build_claim_facts`` does per claim, looked up once per plan instead of per claim and type:
    (base fields to fill, ((fact type, its builder), ...) claim first (other facts' tags may read its
    fields, ``plan.engine_when``), ((relation name, relation, type key, tag rows, join keys to fill),
    ...) in name order). Rebuilt when the plan gains a tag, a fact type or a relation (a plan only grows,
    while it is being built)."""
    size = (len(plan.tag_of), len(plan.fact_types), len(plan.relations))
    memo = plan.__dict__.get("_steps_memo")
    if memo is not None and memo[0] == size:
        return memo[1]
    want = plan.__dict__.get("_base_fields_memo")
    if want is None:
        want = plan.__dict__["_base_fields_memo"] = BaseFields.read(plan.reads)
    order = sorted(plan.fact_types, key=lambda t: (t != "claim", t))
    types = tuple((ftype, _builder(plan, ftype, _tag_rows(plan, ftype))) for ftype in order)
    rels = []
    for name in sorted(plan.relations):
        tk = f"rel:{name}"
        rows = _tag_rows(plan, tk)
        rels.append((name, RELATIONS[name], tk, rows, _filler(plan, tk, rows)))
    steps = (want, types, tuple(rels))
    plan.__dict__["_steps_memo"] = (size, steps)
    return steps


def build_claim_facts(cid: int, claim: Claim, context: Optional[ClaimContext], plan: FactPlan,
                      valuesets, refdata=None, batch: Optional[BatchState] = None) -> ClaimFacts:
    """All facts of one claim the plan needs, with derived fields, tags and relation facts.
    ``batch``: the run's batch state; the caller commits the claim to it afterwards."""
    context = context or DEFAULT_CONTEXT
    batch = batch if batch is not None else BatchState()
    batch.begin(claim)
    cf = ClaimFacts(cid, claim, context)
    want, types, rels = _steps(plan)
    objs = base_objects(claim, context, want)
    claim_values = None
    for ftype, build in types:
        out = build(cid, claim, context, refdata, batch, objs.get(ftype, ()), cf.errors, claim_values, valuesets)
        cf.facts[ftype] = out
        if ftype == "claim" and out:
            claim_values = out[0].values
    fillers = []  # (relation facts, join keys they may lack), filled in once every relation fact is built
    for name, rel, tk, rows, fill_items in rels:
        one_type = rel.from_type == rel.to_type
        targets = cf.facts.get(rel.to_type, ())
        out = []
        sources = cf.facts.get(rel.from_type, ())
        allowed = None
        if rel.candidates is not None:
            try:
                allowed = rel.candidates(DeriveInput(claim, claim, context, refdata, batch, {}),
                                         [a.obj for a in sources], [b.obj for b in targets])
            except Exception as exc:  # a bug in the look-up is a run error; the full enumeration still runs
                cf.errors.append((f"relation {name} candidates", f"{type(exc).__name__}: {exc}"))
        for a in sources:
            pairs = targets if allowed is None else [targets[j] for j in allowed.get(a.idx, ())]
            if not pairs:  # most sources have no candidate: no DeriveInput for them
                continue
            inp = DeriveInput(claim, a.obj, context, refdata, batch, a.values)
            for b in pairs:
                if one_type and a.idx == b.idx:
                    continue
                try:
                    attrs = rel.func(inp, a.obj, b.obj)
                except Exception as exc:
                    cf.errors.append((f"relation {name}", f"{type(exc).__name__}: {exc}"))
                    continue
                if attrs is None:
                    continue
                values: dict = {}
                for k, v in attrs.items():
                    _put(values, k, v)
                _apply_tags(rows, tk, values, valuesets, {}, None, claim_values)
                idx = len(out)
                values["t"], values["cid"], values["i"], values["ra"], values["rb"] = tk, cid, idx, a.idx, b.idx
                values["id"] = f"{cid}:{tk}:{idx}"
                out.append(Fact(tk, idx, (a.obj, b.obj), values))
        cf.facts[tk] = out
        fillers.append((out, fill_items))
    if plan.semi_joins:
        _put_semi_joins(plan, cf.facts)
    for facts, fill_items in fillers:
        if fill_items:
            for f in facts:
                values = f.values
                for k, v in fill_items:
                    if k not in values:
                        values[k] = v
    return cf


_BUILDER_HELPERS = {"Fact": Fact, "DeriveInput": DeriveInput, "put_derived": _put_derived, "raw_lists": _raw_lists,
                    "no_lists": _NO_LISTS}


def _put_semi_joins(plan: FactPlan, facts: dict) -> None:
    """Each ``plan.semi_joins`` flag on every fact of its type: whether another fact of the claim, of the
    other type, has the other field equal to this fact's field (the rule language's equality,
    ``tags.compare``: missing never equals, a bool equals only a bool, text only text)."""
    for key, (ftype, fname, other_type, other_field) in plan.semi_joins.items():
        mine, theirs = facts.get(ftype, ()), facts.get(other_type, ())
        if not mine:
            continue
        k_mine, k_theirs = _key(fname), _key(other_field)
        seen: dict = {}  # (is bool, value) -> facts of the other type with it
        for f in theirs:
            v = f.values.get(k_theirs)
            if v is not None:
                seen[(v.__class__ is bool, v)] = seen.get((v.__class__ is bool, v), 0) + 1
        same = ftype == other_type
        for f in mine:
            v = f.values.get(k_mine)
            n = 0 if v is None else seen.get((v.__class__ is bool, v), 0)
            if same and n and f.values.get(k_theirs) is not None and compare("eq", v, f.values.get(k_theirs)):
                n -= 1  # itself: two aliases of one type are two different facts
            f.values[key] = n > 0
