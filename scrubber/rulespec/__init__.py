"""Rule files -> validated RuleSpecs (``load_packs``), with ``file:line`` problems (``RuleLoadError``).

Nothing here imports durable-rules; ``scrubber.engine`` compiles and runs what this loads.
"""
from scrubber.rulespec.model import Alias, AllOf, AnyOf, Not, Ref, Rule, RuleCase, Test  # noqa: F401
from scrubber.rulespec.packs import PackInfo, RuleLoadError, RulePacks, default_rule_dirs, load_packs  # noqa: F401
from scrubber.rulespec.valuesets import ValueSet  # noqa: F401
