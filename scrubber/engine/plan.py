"""What the facts must carry for a set of rules: fact types, derived fields, tags and relations.

Computed once per RulePacks. Tags (``g<N>``) are booleans computed in Python once per fact and handed
to durable-rules as plain fields: every maximal subtree of a condition that reads one fact (value
sets, regexes, literals, exists / missing, comparisons of two fields of one fact, and all / any / not
over them) and each rule's effective / expires window (``scrubber.engine.tags`` says why). What is
left for durable-rules is joins: the claim, the fact index, relation endpoints, and comparisons
between two facts (through always-present copies and presence flags, see ``ref_keys``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from scrubber.engine.tags import canon, grouped_items, in_force_canon, single_alias
from scrubber.rulespec import fields as F
from scrubber.rulespec.fields import PARAM_PREFIX
from scrubber.rulespec.model import AllOf, AnyOf, Not, Ref, Rule, Test, date_int, walk
from scrubber.fields.registry import DERIVED


@dataclass(frozen=True)
class Tag:
    key: str  # fact key, g<N>
    form: tuple  # canonical subtree (scrubber.engine.tags.canon) or in-force window


@dataclass
class FactPlan:
    fact_types: set = field(default_factory=set)
    derived: dict = field(default_factory=dict)  # fact type -> [DerivedField]
    tags: dict = field(default_factory=dict)  # fact type ("rel:<name>" for relations) -> [Tag]
    relations: set = field(default_factory=set)
    ref_copies: dict = field(default_factory=dict)  # fact type -> {field: type} compared across aliases
    tag_of: dict = field(default_factory=dict)  # (fact type, canonical form) -> Tag
    claim_copies: dict = field(default_factory=dict)  # fact type -> {claim fact key: copy key} (see engine_when)
    semi_joins: dict = field(default_factory=dict)  # key -> (fact type, field, other fact type, other field)
    whens: dict = field(default_factory=dict)  # id(rule) -> (rule, condition as compiled, see engine_when)
    reads: dict = field(default_factory=lambda: {t: set(f) for t, f in FINDING_READS.items()})  # type -> fields

    def join_keys(self) -> dict:
        """Every key some rule joins on, with the filler value facts without it carry.

        A fact lacking a key that a join compares crashed durable-rules (segfault, or error 311) in
        our measurements, even a fact of an unrelated type; so every fact carries all of them.
        """
        keys = {"cid": 0, "i": -1, "ra": -1, "rb": -1}
        for fields_ in self.ref_copies.values():
            for fname, ftype in fields_.items():
                copy_key, has_key = ref_keys(fname)
                keys[copy_key] = REF_SENTINEL[ftype]
                keys[has_key] = False
        return keys

    def semi_join(self, type_key: str, fname: str, other_type: str, other_field: str) -> str:
        """The key of the flag "another fact of ``other_type`` in this claim has ``other_field`` equal
        to this fact's ``fname``" (``scrubber.engine.facts`` computes it for every fact of the type)."""
        spec = (type_key, fname, other_type, other_field)
        for k, v in self.semi_joins.items():
            if v == spec:
                return k
        k = f"sj{len(self.semi_joins)}"
        self.semi_joins[k] = spec
        return k

    def tag_for(self, fact_type: str, form: tuple) -> Tag:
        k = (fact_type, form)
        t = self.tag_of.get(k)
        if t is None:
            t = Tag(f"g{len(self.tag_of)}", form)
            self.tag_of[k] = t
            self.tags.setdefault(fact_type, []).append(t)
        return t


CLAIM_COPY_PREFIX = "_claim."  # a claim field copied onto another fact (no catalog field starts with "_")


def engine_when(plan: FactPlan, rule: Rule):
    """The condition the plan and the compiler work from: ``rule.when`` with every comparison between the
    claim and another fact of that claim read from a copy of the claim field on the other fact.

    Why: a claim has exactly one claim fact, so ``line.date_from gt claim.created`` is a test of the
    line alone once the line carries ``claim.created``; it becomes part of the line's tag, and the
    pre-filter (``scrubber.engine.prefilter``) can drop the claim when no line passes. As a join it
    kept the claim and every line of every claim in the durable-rules call. The claim alias stays a
    pattern (its own tests, the binding), so nothing a finding reads changes; the oracle evaluates
    ``rule.when`` as written. What is left of such a join is the claim id, which the pre-filter's
    pair decision does not re-check (see ``prefilter.build_selector``: the two mechanisms meet there).
    Memoised per rule on the plan.
    """
    hit = plan.whens.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    claims = [a for a, al in rule.aliases.items() if al.fact_type == "claim"]
    when = rule.when
    if len(claims) == 1:
        when = _copy_claim_refs(plan, rule, claims[0], when)
    plan.whens[id(rule)] = (rule, when)
    return when


def _copy_claim_refs(plan: FactPlan, rule: Rule, claim: str, node):
    if isinstance(node, Test):
        if node.ref is None or node.ref.alias == node.alias or claim not in (node.alias, node.ref.alias):
            return node
        other = node.ref.alias if node.alias == claim else node.alias
        if rule.aliases[other].fact_type == "claim":
            return node
        copied = node.field if node.alias == claim else node.ref.field
        copies = plan.claim_copies.setdefault(alias_type_key(rule, other), {})
        copies[F.fact_key(copied)] = F.fact_key(CLAIM_COPY_PREFIX + copied)
        if node.alias == claim:
            return replace(node, alias=other, field=CLAIM_COPY_PREFIX + copied, ref=Ref(other, node.ref.field))
        return replace(node, ref=Ref(other, CLAIM_COPY_PREFIX + copied))
    if isinstance(node, Not):
        item = _copy_claim_refs(plan, rule, claim, node.item)
        return node if item is node.item else replace(node, item=item)
    items = tuple(_copy_claim_refs(plan, rule, claim, n) for n in node.items)
    return node if all(a is b for a, b in zip(items, node.items)) else replace(node, items=items)


# Fields a finding reads whatever its rule (scrubber.engine.findings: the finding's codes and line).
FINDING_READS = {"line": ("code", "number"), "diagnosis": ("code",), "provider": ("line",)}


def alias_type_key(rule: Rule, alias: str) -> str:
    a = rule.aliases[alias]
    return f"rel:{a.relation}" if a.fact_type == "rel" else a.fact_type


def subtree_tag(plan: FactPlan, rule: Rule, node) -> Optional[Tag]:
    """The tag a single-fact subtree compiles to, or None when the subtree reads two facts."""
    alias = single_alias(node)
    if alias is None:
        return None
    return plan.tag_for(alias_type_key(rule, alias), canon(node))


def in_force_tag(plan: FactPlan, rule: Rule) -> Optional[Tag]:
    """The tag "in force on the subject's date of service", or None for a rule without dates."""
    if rule.effective is None and rule.expires is None:
        return None
    form = in_force_canon(date_int(rule.effective) if rule.effective else None,
                          date_int(rule.expires) if rule.expires else None)
    return plan.tag_for(alias_type_key(rule, rule.subject), form)


DIRECT_OPS = ("eq", "lt", "le", "gt", "ge")


def direct_test(node) -> bool:
    """Whether durable-rules compares this test itself, in the fact's flat conjunction: a plain
    comparison of a typed field with a text, number or date literal. The field is then one property
    shared by every rule that compares it (a tag per test made facts too wide: more shards, more
    calls). Everything else (negations, missing fields, lists of values, regexes, value sets, payer
    params, bools) stays a tag."""
    return (isinstance(node, Test) and node.ref is None and node.op in DIRECT_OPS
            and not node.field.startswith(PARAM_PREFIX)
            and (isinstance(node.value, str) or (isinstance(node.value, (int, float)) and not isinstance(node.value, bool))))


def split_direct(node, neg: bool) -> tuple[list, object]:
    """(tests durable-rules compares itself, the rest of a single-fact subtree or None). Only a
    non-negated test or the non-negated ``all`` of them gives direct tests."""
    if neg:
        return [], node
    if direct_test(node):
        return [node], None
    if isinstance(node, AllOf):
        direct = [n for n in node.items if direct_test(n)]
        rest = [n for n in node.items if not direct_test(n)]
        if direct:
            return direct, (None if not rest else rest[0] if len(rest) == 1 else AllOf(tuple(rest), node.line))
    return [], node


def _register_tags(plan: FactPlan, rule: Rule, node, neg: bool = False) -> None:
    """Tags for the maximal single-fact subtrees of ``node``, as the compiler will ask for them."""
    if isinstance(node, Not):
        _register_tags(plan, rule, node.item, not neg)
    elif single_alias(node) is not None:
        rest = split_direct(node, neg)[1]
        if rest is not None:
            subtree_tag(plan, rule, rest)
    elif isinstance(node, (AllOf, AnyOf)):
        for item in grouped_items(node):
            _register_tags(plan, rule, item, neg)


def build_plan(rules: list[Rule]) -> FactPlan:
    plan = FactPlan()
    plan.fact_types.add("claim")  # messages may always name {claim.*}
    for rule in rules:
        for a in rule.aliases.values():
            if a.fact_type == "rel":
                plan.relations.add(a.relation)
            else:
                plan.fact_types.add(a.fact_type)
        when = engine_when(plan, rule)
        _register_tags(plan, rule, when)
        in_force_tag(plan, rule)
        for t in walk(when):
            if t.ref is not None and t.ref.alias != t.alias:
                for alias, fname in ((t.alias, t.field), (t.ref.alias, t.ref.field)):
                    plan.ref_copies.setdefault(alias_type_key(rule, alias), {})[fname] = _field_type(rule, alias, fname)
        for t in walk(rule.when):  # the fields as written: a copied claim field is computed on the claim
            _want_field(plan, rule, t.alias, t.field)
            if t.ref is not None:
                _want_field(plan, rule, t.ref.alias, t.ref.field)
        for name in _template_fields(rule):
            alias, _, fname = name.partition(".")
            if alias in rule.aliases or alias == "claim":
                _want_field(plan, rule, alias, fname)
    return plan


def _field_type(rule: Rule, alias: str, fname: str) -> str:
    from scrubber.fields.registry import RELATIONS

    a = rule.aliases[alias]
    if a.fact_type == "rel":
        return RELATIONS[a.relation].fields.get(fname, "any")
    return F.field_type(a.fact_type, fname, DERIVED) or "any"


REF_SENTINEL = {"number": 0, "date": 0, "any": 0, "text": "", "list": "", "bool": False}


def ref_keys(fname: str) -> tuple[str, str]:
    """(copy key, presence key) of a field compared across aliases.

    durable-rules mis-handles a cross-fact comparison when the referenced field is missing (error 311,
    or every firing of the call silently lost) and when ``$ex`` sits beside it; so such fields get a
    copy that is always present (a sentinel when missing) and a presence flag the rule tests instead.
    """
    k = F.fact_key(fname)
    return f"r__{k}", f"x__{k}"


def _want_field(plan: FactPlan, rule: Rule, alias: str, fname: str) -> None:
    """Record that a rule reads ``alias.fname``: a base field to fill (``plan.reads``), a derived field
    to compute (``plan.derived``)."""
    a = rule.aliases.get(alias)
    ftype = a.fact_type if a is not None else alias
    plan.reads.setdefault(ftype, set()).add(fname)
    spec = DERIVED.get((ftype, fname))
    if spec is not None and spec not in plan.derived.setdefault(ftype, []):
        plan.derived[ftype].append(spec)


def _template_fields(rule: Rule) -> list[str]:
    import re

    text = (rule.message or "") + " " + (rule.suggestion or "")
    return [f"{a}.{f}" for a, f in re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_.]*)\}", text)]


def key(fname: str) -> str:
    return F.fact_key(fname)
