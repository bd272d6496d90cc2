"""RuleSpec: the validated, typed form of a rule file. The compiler and the oracle both read this.

Condition semantics (shared by the durable-rules compiler and the oracle, see scrubber/engine):
a rule binds one fact per alias (the subject named by ``for``, every fact type a test names, and
the aliases of ``with``); all bound facts belong to the same claim; two aliases of one fact type are
different facts; a relation alias holds for exactly the (from, to) pair it names. The rule fires once
per binding for which ``when`` is true. A test on a missing field is false (``missing`` is true);
``not`` is plain boolean negation of its subtree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional, Union


@dataclass(frozen=True)
class Ref:
    """A value that is another field: ``value: {fact: other, field: date_from}``."""

    alias: str
    field: str


@dataclass(frozen=True)
class Test:
    alias: str
    field: str
    op: str
    value: Any = None  # converted literal: str | float | int (date as YYYYMMDD) | bool | tuple | (lo, hi) | value-set name
    ref: Optional[Ref] = None
    line: int = 0


@dataclass(frozen=True)
class AllOf:
    items: tuple
    line: int = 0


@dataclass(frozen=True)
class AnyOf:
    items: tuple
    line: int = 0


@dataclass(frozen=True)
class Not:
    item: Any
    line: int = 0


Node = Union[Test, AllOf, AnyOf, Not]


@dataclass(frozen=True)
class Alias:
    name: str
    fact_type: str  # claim line diagnosis provider patient coverage, or "rel" for a relation
    relation: Optional[str] = None
    src: Optional[str] = None
    dst: Optional[str] = None


@dataclass(frozen=True)
class RuleCase:
    name: str
    expect: str  # fire | pass
    claim: dict
    count: Optional[int] = None
    context: Optional[dict] = None
    batch: tuple = ()  # earlier claims of the same batch (JSON form), evaluated first
    line: int = 0


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    category: str
    message: str
    when: Node
    subject: str = "claim"
    aliases: dict = field(default_factory=dict)  # name -> Alias (every alias bound by the rule)
    suggestion: Optional[str] = None
    source: Optional[str] = None
    why: Optional[str] = None
    effective: Optional[date] = None
    expires: Optional[date] = None
    version: str = "1"
    tests: tuple = ()
    pack: str = ""
    path: str = ""
    sha256: str = ""


def walk(node: Node):
    """Every Test in a condition tree, depth first."""
    if isinstance(node, Test):
        yield node
    elif isinstance(node, (AllOf, AnyOf)):
        for item in node.items:
            yield from walk(item)
    elif isinstance(node, Not):
        yield from walk(node.item)


def date_int(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day
