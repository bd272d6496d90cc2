"""What ``claimscrub rules lint`` checks beyond loading, as a function the playground calls too.

Loading (``scrubber.rulespec.load_packs``) already checks schema and meaning; this adds what
needs the engine: that every rule compiles to durable-rules, and that each rule has at least one
must-fire and one must-not-fire test case. Both front doors print the same ``file:line`` texts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scrubber.rulespec.packs import RuleLoadError, RulePacks


@dataclass
class LintReport:
    """``errors``: the packs cannot run (exit 2); ``warnings``: missing test-case kinds (exit 1)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def lint_packs(packs: RulePacks) -> LintReport:
    """Compile ``packs`` and list every rule without a fire or a pass case."""
    from scrubber.engine.core import compile_packs

    report = LintReport()
    try:
        compile_packs(packs)
    except RuleLoadError as exc:
        report.errors.extend(exc.problems)
        return report
    for r in packs.rules:
        kinds = {c.expect for c in r.tests}
        for want, word in (("fire", "must-fire"), ("pass", "must-not-fire")):
            if want not in kinds:
                report.warnings.append(f"{r.path}:1: {r.id} has no {word} test case; add one under tests: with expect: {want}")
    return report
