"""Rules that cannot run for lack of reference data: said once per run, never a silent "clean".

An NCCI PTP rule without an imported PTP table (or an MUE rule without an MUE table, or the
HCPCS Level II rule without a HCPCS file) finds nothing, so a claim would look clean although
the edit never ran. ``idle_rules(packs, refdata)`` names every such rule with the table it
lacks and the command that imports it; the run record carries the list (``run.rules_idle`` in
the JSON), the text, HTML and ``rules list`` show it.

Which rule needs which table is read from the rule itself: the relations and derived fields its
``when`` tests use (``TABLE_NEEDS``). tests/test_trust_idle.py checks that every name below is a
registered relation or derived field, so a rename breaks a test instead of hiding a rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class TableNeed:
    kind: str  # refdata kind, as `claimscrub refdata import KIND`
    name: str  # as a user calls the table
    example: str  # a CMS file name for the import command
    relations: frozenset = frozenset()
    fields: frozenset = frozenset()  # "fact.field" of derived fields


TABLE_NEEDS = (
    TableNeed("ncci-ptp", "NCCI PTP table", "ccipra-v320r0-f1.txt", relations=frozenset({"ncci_ptp"})),
    TableNeed("mue", "MUE table", "MCR_MUE_PractitionerServices.csv",
              fields=frozenset({"line.mue_value", "line.mue_mai", "line.mue_mai_text"})),
    TableNeed("hcpcs", "HCPCS Level II file", "HCPC2026_JAN_ANWEB.txt", fields=frozenset({"line.hcpcs_valid"})),
    TableNeed("mpfs", "MPFS relative value file", "PPRRVU2026_Jan_nonQPP.csv",
              fields=frozenset({"line.mpfs_global_days", "line.mpfs_bilat_surg", "line.mpfs_asst_surg",
                                "line.mpfs_co_surg", "line.mpfs_team_surg"})),
)


def tables_needed(rule) -> list[TableNeed]:
    """The reference tables ``rule`` cannot run without (its relations and derived fields)."""
    from scrubber.rulespec.model import walk

    relations = {a.relation for a in rule.aliases.values() if getattr(a, "relation", None)}
    fields = set()
    for t in walk(rule.when):
        fact = rule.aliases[t.alias].fact_type if t.alias in rule.aliases else t.alias
        fields.add(f"{fact}.{t.field}")
        if t.ref is not None:
            ref_fact = rule.aliases[t.ref.alias].fact_type if t.ref.alias in rule.aliases else t.ref.alias
            fields.add(f"{ref_fact}.{t.ref.field}")
    return [n for n in TABLE_NEEDS if n.relations & relations or n.fields & fields]


def _loaded(refdata, kind: str) -> bool:
    if refdata is None:
        return False
    try:
        return bool(refdata.store.editions(kind))
    except Exception:  # a broken store is reported elsewhere (run record); here the table is not usable
        return False


def idle_reason(need: TableNeed) -> str:
    return f"no {need.name} imported; `claimscrub refdata import {need.kind} {need.example}`"


def idle_rules(rules, refdata) -> list[dict]:
    """[{rule_id, title, table, reason}] for every rule whose table is not imported, by rule id."""
    loaded: dict[str, bool] = {}
    out = []
    for rule in sorted(rules, key=lambda r: r.id):
        for need in tables_needed(rule):
            if need.kind not in loaded:
                loaded[need.kind] = _loaded(refdata, need.kind)
            if not loaded[need.kind]:
                out.append({"rule_id": rule.id, "title": rule.title, "table": need.kind, "reason": idle_reason(need)})
                break
    return out


def idle_by_reason(idle: Optional[list]) -> list[tuple[str, list[str]]]:
    """(reason, [rule ids]) in first-seen order: one line per missing table in a report."""
    groups: dict[str, list[str]] = {}
    for item in idle or ():
        groups.setdefault(item["reason"], []).append(item["rule_id"])
    return list(groups.items())


def params_needed(rule) -> set[str]:
    """The profile parameters without which ``rule`` can never fire (its tests read nothing else).

    Here, not in ``fields/payer.py`` (which fills ``PARAM_OF_FIELD``): it walks a rule's
    condition tree, and the field stage knows nothing of rules.
    """
    from scrubber.fields.payer import PARAM_OF_FIELD
    from scrubber.rulespec.model import walk

    out = set()
    for test in walk(rule.when):
        alias = rule.aliases.get(test.alias)
        param = PARAM_OF_FIELD.get((alias.fact_type if alias else test.alias, test.field))
        if param:
            out.add(param)
    return out
