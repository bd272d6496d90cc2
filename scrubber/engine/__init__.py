"""The rule engine: facts from claims, value-set tagging, derived fields, durable-rules, the oracle.

API the pipeline and the CLI use (stable names):

* ``scrubber.rulespec.load_packs(dirs: list[Path]) -> RulePacks`` -- raises
  ``scrubber.rulespec.RuleLoadError(problems: list[str])`` listing every ``file:line`` problem;
  ``scrubber.rulespec.default_rule_dirs() -> list[Path]`` finds the repo's ``rules/``.
* ``Engine(packs, refdata=None, *, verify=False, workers=None, chunk_size=100)``:
  ``evaluate(claims: list[Claim], contexts: list[ClaimContext] | None = None)
  -> tuple[dict[int, list[Finding]], list[RunError]]`` (findings keyed by index into ``claims``);
  ``rulesets_info() -> list[{"id", "version", "sha256"}]``; ``close()`` stops the workers.
  ``verify=True`` runs the oracle on every claim too; a disagreement is a
  ``RunError(kind="verify-mismatch")``. A worker crash is ``RunError(kind="engine-retry")``;
  an exception in a derived field or relation is ``RunError(kind="rule-error")``; a claim
  durable-rules refuses is ``RunError(kind="engine-error")`` and is evaluated by the oracle.
  One Engine per run: it keeps the batch index (duplicates across claims of the batch).
* ``ClaimContext`` (scrubber.model): ``params`` are the claim fact's ``param.<name>`` fields,
  ``disabled_rules`` / ``disabled_packs`` drop findings, ``severity_overrides`` change severity,
  ``coverage`` (dict) becomes the ``coverage`` fact.
* ``Oracle`` (scrubber.engine.oracle): the pure-Python reference evaluator.
* Extension points: ``scrubber.fields.registry`` (``derived_field``, ``valueset_provider``,
  ``pair_relation``); built-in examples in ``scrubber/fields/builtin.py``; new modules go in
  ``scrubber/fields/`` and are imported in ``scrubber/fields/__init__.py``.

Nothing outside this package imports durable-rules, and inside it only ``runner.py`` does.
"""
from __future__ import annotations


def __getattr__(name):
    if name == "Engine":
        from scrubber.engine.core import Engine

        return Engine
    if name == "Oracle":
        from scrubber.engine.oracle import Oracle

        return Oracle
    raise AttributeError(name)


__all__ = ["Engine", "Oracle"]
