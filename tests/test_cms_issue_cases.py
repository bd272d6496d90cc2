"""Every wrong behaviour issue 14 lists (items 1-9) stays pinned by a rule test case.

The cases themselves run in tests/test_rule_cases.py (and `claimscrub rules test`); this file checks
that each listed behaviour still has its must-fire or must-not-fire case, in the rule that owns it,
and that the rule cites the CMS / CDC / CPT source a coder would look up. Deleting or renaming a
case, or moving the behaviour to another rule without a case, fails here. Item 10 (rules test from
a wheel) is tests/test_cms_wheel_rule_cases.py.
"""
from __future__ import annotations

import pytest

from scrubber.rulespec import default_rule_dirs, load_packs

RULES = {r.id: r for r in load_packs(default_rule_dirs()).rules}


def _codes(case) -> set[str]:
    claim = case.claim
    out = {str(d.get("code", "")).replace(".", "") for d in claim.get("diagnoses", [])}
    for ln in claim.get("lines", []):
        out.add(str(ln.get("code", "")))
        out.update(f"{ln.get('code')}-{m}" for m in ln.get("modifiers") or [])
    return out


# (issue item, rule, expectation, codes the case must carry, source words)
CASES = [
    (1, "COD-DX-001", "fire", {"E1199"}, "ICD-10-CM"),
    (1, "COD-DX-004", "fire", {"E119"}, "ICD-10-CM"),
    (2, "COD-AGE-003", "pass", {"O09521"}, "MCE"),
    (2, "COD-AGE-003", "pass", {"Z3A20"}, "MCE"),
    (2, "COD-AGE-003", "fire", {"O09521"}, "MCE"),
    (3, "COD-AGE-001", "pass", {"P0734"}, "MCE"),
    (3, "COD-AGE-001", "fire", {"Z3800"}, "MCE"),
    (4, "COD-SEX-001", "pass", {"Z8042"}, "MCE"),
    (4, "COD-SEX-001", "pass", {"Y07030"}, "MCE"),
    (4, "COD-SEX-001", "fire", {"N951"}, "MCE"),
    (5, "COD-AGE-004", "fire", {"R54"}, "MCE"),
    (5, "COD-AGE-002", "fire", {"H26001"}, "MCE"),
    (6, "COD-MANIF-001", "fire", {"G4754"}, "MCE"),
    (6, "COD-MANIF-001", "fire", {"R4782"}, "MCE"),
    (6, "COD-MANIF-001", "pass", {"M1460"}, "MCE"),
    (7, "COD-EXCL1-001", "fire", {"F0781", "S060X1A"}, "Excludes1"),
    (7, "COD-EXCL1-001", "pass", {"F0781", "S060X1D"}, "Excludes1"),
    (8, "COD-PDX-001", "fire", {"Z3A20"}, "MCE"),
    (8, "COD-ZFIRST-001", "fire", {"Z0000"}, "I.C.21.c.16"),
    (8, "COD-ZFIRST-001", "pass", {"Z0000"}, "I.C.21.c.16"),
    (9, "NCCI-PTP-003", "fire", {"99213-RT"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-003", "fire", {"99213-XE"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-003", "fire", {"11111-59"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-003", "fire", {"11111-57"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-003", "fire", {"99213-24"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-003", "pass", {"99213-25"}, "NCCI Policy Manual"),
    (9, "NCCI-PTP-004", "fire", {"11111", "99213-57"}, "Global Surgery"),
    (9, "NCCI-PTP-004", "pass", {"77777", "99213-57"}, "Global Surgery"),
    (9, "MOD-25EM-001", "pass", {"92012-25"}, "CPT"),
    (9, "MOD-25EM-001", "pass", {"98001-25"}, "CPT"),
    (9, "MOD-50UNITS-001", "fire", {"20610-50"}, "Claims Processing Manual"),
    (9, "MOD-26TC-002", "fire", {"71046-26", "71046-TC"}, "26"),
]


@pytest.mark.parametrize("item, rule_id, expect, codes, cites", CASES,
                         ids=[f"item{c[0]}-{c[1]}-{c[2]}-{'+'.join(sorted(c[3]))}" for c in CASES])
def test_issue_behaviour_has_its_rule_case(item, rule_id, expect, codes, cites):
    rule = RULES[rule_id]
    hits = [c.name for c in rule.tests if c.expect == expect and codes <= _codes(c)]
    assert hits, f"issue 14 item {item}: {rule_id} has no {expect} case with {sorted(codes)}"
    assert cites in (rule.source or ""), f"{rule_id} source does not cite {cites!r}"


def test_every_rule_has_both_kinds_of_case_with_distinct_names():
    """A rule with only must-fire cases cannot show it stays quiet where it should; two cases of one
    name (COD-SEX-001 and COD-MANIF-001 carried three exact copies) report as one."""
    for rule in RULES.values():
        names = [c.name for c in rule.tests]
        assert len(names) == len(set(names)), f"{rule.id}: case names repeat"
        kinds = {c.expect for c in rule.tests}
        assert kinds == {"fire", "pass"}, f"{rule.id}: only {kinds} cases"
