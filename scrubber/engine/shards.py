"""Split compiled rules into durable-rules rulesets that stay inside the engine's fixed limits.

durable-rules 2.0.28 keeps at most 32 properties per fact (MAX_OBJECT_PROPERTIES) and walks
its alpha network with a fixed-size stack (error 303, ERR_MAX_STACK_SIZE, measured here from
about 110 generated rules in one ruleset). So rules are packed greedily into shards of at most
``MAX_RULES_PER_SHARD`` durable rules whose facts need at most ``MAX_PROPERTIES`` keys per fact
type, and each shard receives only the fact types and keys its rules read (smaller JSON per
call is also faster). Each shard is its own ruleset with its own sinks, warm-up and session.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scrubber.engine.compiler import CompileError, sink_rules

MAX_PROPERTIES = 32
MAX_RULES_PER_SHARD = 80
BASE_KEYS = frozenset({"t", "cid", "i", "id", "sid"})
REL_KEYS = frozenset({"ra", "rb"})
JOIN_ALWAYS = ("cid", "i")


@dataclass
class Shard:
    defs: dict = field(default_factory=dict)  # durable rule name -> definition (no sinks yet)
    keys: dict = field(default_factory=dict)  # durable rule name -> rule index
    type_keys: dict = field(default_factory=dict)  # fact type key -> set of keys its rules read
    join_keys: set = field(default_factory=set)  # keys some join compares: every fact must carry them

    def width(self, type_keys: dict, join_keys: set) -> int:
        """Properties the widest fact type would carry with these additions."""
        joins = self.join_keys | join_keys
        types = set(self.type_keys) | set(type_keys)
        return max((len(BASE_KEYS | joins | self.type_keys.get(t, set()) | type_keys.get(t, set())
                         | (REL_KEYS if t.startswith("rel:") else set())) for t in types), default=0)

    def add(self, defs: dict, keys: dict, type_keys: dict, join_keys: set) -> None:
        self.defs.update(defs)
        self.keys.update(keys)
        for t, ks in type_keys.items():
            self.type_keys.setdefault(t, set()).update(ks)
        self.join_keys |= join_keys

    def projection(self) -> dict:
        """Fact type key -> the keys sent to this shard (join keys on every fact)."""
        return {t: frozenset(BASE_KEYS | self.join_keys | ks | (REL_KEYS if t.startswith("rel:") else set()))
                for t, ks in self.type_keys.items()}

    def definitions(self) -> dict:
        return {**self.defs, **sink_rules(self.type_keys)}


def _scan(cond, alias: str, alias_types: dict, uses: dict, joins: set) -> None:
    """Collect the keys a pattern condition reads, per fact type, and the keys joins compare."""
    if isinstance(cond, list):
        for c in cond:
            _scan(c, alias, alias_types, uses, joins)
        return
    if not isinstance(cond, dict):
        return
    for k, v in cond.items():
        if k in ("$and", "$or"):
            _scan(v, alias, alias_types, uses, joins)
        elif k.startswith("$"):
            _scan({kk: vv for kk, vv in v.items()}, alias, alias_types, uses, joins) if isinstance(v, dict) else None
        else:
            uses.setdefault(alias_types[alias], set()).add(k)
            if isinstance(v, dict):  # a reference {other_alias: key}
                for other, okey in v.items():
                    uses.setdefault(alias_types[other], set()).add(okey)
                    joins.update((k, okey))


def rule_usage(defs: list[dict], alias_types: dict) -> tuple[dict, set]:
    uses: dict = {}
    joins: set = set(JOIN_ALWAYS)
    for d in defs:
        for pattern in d["all"]:
            for alias, cond in pattern.items():
                uses.setdefault(alias_types[alias], set())
                _scan(cond, alias, alias_types, uses, joins)
    for ks in uses.values():
        ks.discard("t")
    return uses, joins - {"t"}


def pack_shards(compiled: list[tuple[int, object, list[dict], dict]]) -> list[Shard]:
    """``compiled``: (rule index, rule, durable definitions, alias -> fact type key) per rule."""
    shards: list[Shard] = [Shard()]
    for k, rule, defs, alias_types in compiled:
        uses, joins = rule_usage(defs, alias_types)
        named = {f"r{k}_{j}": d for j, d in enumerate(defs)}
        keys = {name: k for name in named}
        alone = Shard().width(uses, joins)
        if alone > MAX_PROPERTIES:
            raise CompileError(f"{rule.path}:1: rule {rule.id} reads {alone} properties of one fact; durable-rules "
                               f"holds at most {MAX_PROPERTIES}: split the rule")
        # first fit: the first shard with room for the rule (fewer shards = fewer assert calls per claim)
        cur = next((sh for sh in shards if not sh.defs or (len(sh.defs) + len(named) <= MAX_RULES_PER_SHARD
                                                           and sh.width(uses, joins) <= MAX_PROPERTIES)), None)
        if cur is None:
            cur = Shard()
            shards.append(cur)
        cur.add(named, keys, uses, joins)
    return [s for s in shards if s.defs] or [Shard(type_keys={"claim": set()})]

