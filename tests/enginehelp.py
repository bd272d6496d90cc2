"""Helpers for engine tests: packs from YAML text written to a temporary folder."""
from __future__ import annotations

import textwrap
from pathlib import Path

from scrubber.model.serialize import claim_from_dict
from scrubber.rulespec import load_packs


def packs_from(tmp_path: Path, rules: dict[str, str], valuesets: dict[str, str] | None = None):
    pack = tmp_path / "rules" / "madeup"
    pack.mkdir(parents=True, exist_ok=True)
    for rid, text in rules.items():
        (pack / f"{rid}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    if valuesets:
        vdir = tmp_path / "rules" / "valuesets"
        vdir.mkdir(parents=True, exist_ok=True)
        for name, text in valuesets.items():
            (vdir / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_packs([tmp_path / "rules"])


def firings_per_rule(engine, claims, contexts=None) -> list[int]:
    """Asserts that durable-rules and the oracle fire identically on every claim (and that no rule
    raised); returns how many findings each of the engine's rules gave, in the packs' rule order."""
    cfs, errors = engine.build_facts(claims, contexts)
    fired = engine._engine_firings(cfs, errors)
    assert not errors, errors
    per_rule = [0] * len(engine.packs.rules)
    for cf, got in zip(cfs, fired):
        want = engine.oracle.run(cf)
        assert got == want, (cf.claim.claim_id, sorted(got ^ want))
        for k, _ in want:
            per_rule[k] += 1
    return per_rule


def claim(**kw):
    kw.setdefault("claim_id", "MADE-UP-1")
    return claim_from_dict(kw)


HEADER = """\
id: {id}
title: MADE-UP test rule
severity: error
category: data-integrity
"""
