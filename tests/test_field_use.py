"""Every derived field the vocabulary registers is read by a shipped rule, or kept on purpose.

A field no rule reads is code that runs for nothing on every claim (or, worse, a second answer to
a question another field answers). Each field in ``KEPT`` is one rule authors are told about in
the docs page named beside it, with the reason it stays although no shipped rule reads it yet.
"""
from __future__ import annotations

import re
from pathlib import Path

from scrubber.cli.rules_catalog import read_fields
from scrubber.fields.registry import DERIVED
from scrubber.rulespec import default_rule_dirs, load_packs
from scrubber.rulespec.fields import BASE_FIELDS

DOCS = Path(__file__).resolve().parent.parent / "docs"

# field -> (the docs page that offers it to rule authors, why it stays without a shipped reader)
KEPT = {
    "claim.days_to_submission": ("rules.md", "built-in example of a date difference a custom rule can compare"),
    "claim.pos_name": ("packs.md", "the CMS name of a valid place of service, for custom rule messages"),
    "coverage.coverage_gap": ("payer-rules.md", "part of the eligibility status vocabulary (status == ended/...)"),
    "coverage.on_file": ("payer-rules.md", "part of the eligibility status vocabulary (the member is in a file)"),
    "coverage.payer_covered": ("payer-rules.md", "part of the eligibility status vocabulary (a file lists the payer)"),
    "coverage.other_payer_primary": ("payer-rules.md", "COB for payers that care whatever SBR01 says"),
    "coverage.file_last_name": ("payer-rules.md", "the file's person, for custom eligibility messages"),
    "coverage.file_first_name": ("payer-rules.md", "the file's person, for custom eligibility messages"),
    "diagnosis.billable": ("rules.md", "built-in example that needs no imported data (simple-icd-10-cm's edition)"),
    "line.prior_auth_required": ("payer-rules.md", "the lines a profile's prior_auth list names, authorised or not"),
    "line.same_code_same_date": ("rules.md", "built-in example of a per-claim count (duplicate-line rules)"),
}


def _read_by_rules() -> set[str]:
    packs = load_packs(default_rule_dirs())
    assert len(packs.rules) > 50  # the shipped packs were found, not an empty directory
    read = set()
    for rule in packs.rules:
        for alias_name, name in read_fields(rule):
            alias = rule.aliases.get(alias_name)
            read.add(f"{alias.fact_type if alias else alias_name}.{name}")
    return read


def test_every_derived_field_is_read_by_a_shipped_rule_or_kept_on_purpose():
    registered = {f"{fact}.{name}" for fact, name in DERIVED}
    unread = registered - _read_by_rules()
    assert sorted(unread - set(KEPT)) == [], "remove these fields, or use them in a rule, or add them to KEPT"
    assert sorted(set(KEPT) - unread) == [], "a shipped rule reads these now: drop them from KEPT"


def test_kept_fields_are_offered_in_the_docs_they_name():
    for field, (page, _why) in KEPT.items():
        text = (DOCS / page).read_text()
        _fact, name = field.split(".")
        assert f"`{field}`" in text or f"`{name}`" in text or f"`.{name}`" in text, f"{page} does not name {field}"


def test_docs_name_no_field_that_is_not_there():
    """docs/ stays in step with the registry: a removed field is removed from the pages too
    (performance.md is a dated measurement log, and keeps what was measured then)."""
    registered = {f"{fact}.{name}" for fact, name in DERIVED}
    pages = sorted(p for p in DOCS.glob("*.md") if p.name != "performance.md")
    assert len(pages) >= 5
    stale = []
    for page in pages:
        for field in set(re.findall(r"`((?:claim|line|diagnosis|patient|coverage|provider)\.[a-z_0-9]+)`", page.read_text())):
            fact, name = field.split(".")
            if field not in registered and name not in BASE_FIELDS.get(fact, {}) and not name.startswith("param"):
                stale.append(f"{page.name}: {field}")
    assert stale == []
