"""One rule file -> Rule, or a list of ``file:line: what is wrong; what to write instead`` problems.

Two passes: the JSON Schema (shape, key names, enums) with its errors translated into the
author's language, then meaning (facts, fields, operator/value types, regexes, value sets,
aliases, test claims). Every problem found is reported; nothing is dropped silently.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

from scrubber.model.schema_words import schema_message
from scrubber.model.words import did_you_mean
from scrubber.rulespec.regexcheck import backtracking_risk
from scrubber.rulespec.schemacheck import quick_valid
from scrubber.rulespec import fields as F
from scrubber.rulespec.model import Alias, AllOf, AnyOf, Not, Ref, Rule, RuleCase, Test, date_int
from scrubber.fields.registry import DERIVED, PROVIDERS, RELATIONS, ensure_loaded
from scrubber.rulespec.yamlload import LineDict, LineList, line_at

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "matches", "exists", "missing", "between", "in_set",
             "any_in", "all_in", "none_in")
# List semantics for list fields (line.modifiers, derived lists): any / all / none of the items is one of the values.
LIST_OPS = ("any_in", "all_in", "none_in")
NODE_KEYS = ("all", "any", "not", "fact", "field", "op", "value")
ORDERED_OPS = ("lt", "le", "gt", "ge", "between")
NO_VALUE_OPS = ("exists", "missing")
# Words authors reach for, mapped to the operator they mean.
OP_ALIASES = {"equal": "eq", "equals": "eq", "==": "eq", "!=": "ne", "not_equal": "ne", "<": "lt", "<=": "le",
              ">": "gt", ">=": "ge", "regex": "matches", "match": "matches", "present": "exists",
              "absent": "missing", "notin": "not_in", "nin": "not_in", "in_valueset": "in_set", "inset": "in_set",
              "any_of": "any_in", "all_of": "all_in", "none_of": "none_in", "contains": "any_in"}


@lru_cache(maxsize=1)
def rule_schema() -> dict:
    return json.loads(resources.files("scrubber").joinpath("schemas/rule.schema.json").read_text("utf-8"))


def suggest(word: str, choices) -> str:
    """``did_you_mean``, knowing the operator spellings authors bring from other languages."""
    word = str(word)
    if word in OP_ALIASES and OP_ALIASES[word] in choices:
        return f" (did you mean '{OP_ALIASES[word]}'?)"
    return did_you_mean(word, choices)


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def _line_at(root, path) -> int:
    return line_at(root, path, root_line=1)


def _where(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the rule"


def schema_problems(data, fname: str) -> list[str]:
    instance = _jsonable(data)
    if quick_valid(instance, rule_schema()):  # nearly every file: no jsonschema import, no error walk
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(rule_schema())
    problems = []
    seen = set()
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        line = _line_at(data, path)
        key = path[-1] if path else None
        where = _where(path)
        v = err.validator
        if v == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            for extra in sorted(set(err.instance) - set(allowed)):
                ln = data_line = _line_at(data, path + [extra])
                msg = f"{fname}:{ln}: unknown key '{extra}' in {where}{suggest(extra, allowed)}; allowed keys: {', '.join(allowed)}"
                problems.append(msg)
            continue
        if v == "enum":
            choices = err.validator_value
            if key == "op":
                msg = f"unknown operator {err.instance!r}{suggest(err.instance, choices)}; operators: {' '.join(choices)}"
            else:
                msg = schema_message(err, where, suggest)
        elif v == "pattern" and key == "id":
            msg = f"id {err.instance!r} must be upper-case with a pack prefix and dashes, e.g. INT-NPI-001"
        elif v == "oneOf" and len(path) >= 2 and path[0] == "with":
            msg = (f"{where} must be a fact type ({', '.join(F.FACT_TYPES)}) or "
                   "{relation: NAME, from: ALIAS, to: ALIAS}")
        else:  # the words every validated file shares
            msg = schema_message(err, where, suggest)
        text = f"{fname}:{line}: {msg}"
        if text not in seen:
            seen.add(text)
            problems.append(text)
    return problems


class _Parser:
    def __init__(self, data: LineDict, fname: str, valuesets: dict):
        self.data, self.fname, self.valuesets = data, fname, valuesets
        self.problems: list[str] = []
        self.aliases: dict[str, Alias] = {}

    def err(self, line: int, msg: str) -> None:
        self.problems.append(f"{self.fname}:{line}: {msg}")

    # ---- aliases -------------------------------------------------------------------------------
    def parse_aliases(self) -> str:
        subject = self.data.get("for", "claim")
        self.aliases[subject] = Alias(subject, subject)
        declared = self.data.get("with") or {}
        for name, spec in declared.items():
            line = declared.line_of(name) if isinstance(declared, LineDict) else self.data.line
            if name in F.FACT_TYPES:
                self.err(line, f"alias '{name}' is a fact type name; pick another name such as 'other'")
                continue
            if isinstance(spec, str):
                self.aliases[name] = Alias(name, spec)
        for name, spec in declared.items():
            if isinstance(spec, dict):
                line = declared.line_of(name)
                rel = RELATIONS.get(spec["relation"])
                if rel is None:
                    self.err(line, f"unknown relation '{spec['relation']}'{suggest(spec['relation'], RELATIONS)}; "
                                   f"relations: {', '.join(sorted(RELATIONS))}")
                    continue
                for end, want in (("from", rel.from_type), ("to", rel.to_type)):
                    a = self._alias(spec[end], line, implicit_ok=True)
                    if a is not None and a.fact_type != want:
                        self.err(line, f"relation '{rel.name}' {end} must be a {want} alias, '{spec[end]}' is a {a.fact_type}")
                self.aliases[name] = Alias(name, "rel", rel.name, spec["from"], spec["to"])
        return subject

    def _alias(self, name: str, line: int, implicit_ok: bool = True) -> Optional[Alias]:
        if name in self.aliases:
            return self.aliases[name]
        if implicit_ok and name in F.FACT_TYPES:
            self.aliases[name] = Alias(name, name)
            return self.aliases[name]
        self.err(line, f"unknown fact '{name}'{suggest(name, list(F.FACT_TYPES) + list(self.aliases))}; "
                       f"facts: {', '.join(F.FACT_TYPES)} or an alias declared under 'with'")
        return None

    def field_type(self, alias: Alias, name: str) -> Optional[str]:
        if alias.fact_type == "rel":
            return RELATIONS[alias.relation].fields.get(name)
        return F.field_type(alias.fact_type, name, DERIVED)

    def _known_fields(self, alias: Alias) -> list[str]:
        if alias.fact_type == "rel":
            return list(RELATIONS[alias.relation].fields)
        return list(F.BASE_FIELDS[alias.fact_type]) + [n for (t, n) in DERIVED if t == alias.fact_type]

    # ---- conditions ----------------------------------------------------------------------------
    def node(self, raw, line: int):
        if not isinstance(raw, dict):
            self.err(line, "a condition must be a mapping: {fact: line, field: code, op: eq, value: '99213'} "
                           "or all: / any: / not:")
            return None
        line = getattr(raw, "line", line)
        groups = [k for k in ("all", "any", "not") if k in raw]
        if len(groups) > 1 or (groups and any(k in raw for k in ("fact", "field", "op", "value"))):
            self.err(line, "a condition is either one of all: / any: / not: or one test (fact, field, op, value); "
                           "split it into two list items")
            return None
        if groups:
            kind = groups[0]
            if kind == "not":
                inner = self.node(raw["not"], raw.line_of("not"))
                return Not(inner, line) if inner is not None else None
            items_raw = raw[kind]
            items = []
            for i, item in enumerate(items_raw):
                ln = items_raw.item_lines[i] if isinstance(items_raw, LineList) else line
                n = self.node(item, ln)
                if n is not None:
                    items.append(n)
            return (AllOf if kind == "all" else AnyOf)(tuple(items), line)
        return self.test(raw, line)

    def test(self, raw: LineDict, line: int):
        for k in ("fact", "field", "op"):
            if k not in raw:
                self.err(line, f"this test has no '{k}'; a test reads {{fact: line, field: code, op: eq, value: '99213'}}")
                return None
        alias = self._alias(raw["fact"], raw.line_of("fact"))
        if alias is None:
            return None
        fname, op = raw["field"], raw["op"]
        ftype = self.field_type(alias, fname)
        if ftype is None:
            self.err(raw.line_of("field"), f"unknown field '{fname}' of {alias.fact_type}"
                                           f"{suggest(fname, self._known_fields(alias))}")
            return None
        vline = raw.line_of("value") if "value" in raw else line
        has_value = "value" in raw
        value = raw.get("value")
        if op in NO_VALUE_OPS:
            if has_value:
                self.err(vline, f"'{op}' takes no value; remove the 'value' line")
            return Test(alias.name, fname, op, None, None, line)
        if not has_value:
            self.err(line, f"'{op}' needs a value")
            return None
        if op in ORDERED_OPS and ftype not in F.ORDERED_TYPES + ("any",):
            self.err(raw.line_of("op"), f"'{op}' compares numbers or dates, and {alias.fact_type}.{fname} is {ftype}; "
                                        "use eq / in / matches for text")
            return None
        if op in ("in", "not_in") and ftype == "list":
            instead = "any_in" if op == "in" else "none_in"
            self.err(raw.line_of("op"), f"'{op}' on the list field {alias.fact_type}.{fname} would compare the "
                                        f"space-joined items (\"59 GP\") with each value; did you mean '{instead}'? "
                                        "(any_in: any item is one of the values; all_in: every item is; none_in: no item is)")
            return None
        if op in LIST_OPS:
            return self._list_test(alias, fname, ftype, op, value, raw, vline, line)
        if isinstance(value, dict) and op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return self._ref_test(alias, fname, ftype, op, value, vline, line)
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            v = self.literal(value, ftype, vline, f"{alias.fact_type}.{fname}")
            return None if v is _BAD else Test(alias.name, fname, op, v, None, line)
        if op in ("in", "not_in", "between"):
            if not isinstance(value, list) or not value:
                self.err(vline, f"'{op}' needs a list: value: [a, b]")
                return None
            vals = tuple(self.literal(v, ftype, vline, f"{alias.fact_type}.{fname}") for v in value)
            if _BAD in vals:
                return None
            if op == "between":
                if len(vals) != 2 or vals[0] > vals[1]:
                    self.err(vline, "'between' needs [low, high] with low <= high (both ends included)")
                    return None
            return Test(alias.name, fname, op, vals, None, line)
        if op == "matches":
            if not isinstance(value, str):
                self.err(vline, f"'matches' needs a regular expression in quotes, e.g. '^99[0-9]{{3}}$'")
                return None
            try:
                re.compile(value)
            except re.error as exc:
                self.err(vline, f"bad regular expression {value!r}: {exc}; escape special characters with \\")
                return None
            risk = backtracking_risk(value)
            if risk is not None:
                self.err(vline, f"regular expression {value!r} is refused: {risk} on a hostile claim value; "
                                "write it without nested repetition, e.g. '^[A-Z0-9]+$'")
                return None
            return Test(alias.name, fname, op, value, None, line)
        if op == "in_set":
            if not isinstance(value, str):
                self.err(vline, "'in_set' needs the name of a value set, e.g. value: lab-panels")
                return None
            if ":" in value:
                prefix, _, arg = value.partition(":")
                prov = PROVIDERS.get(prefix)
                if prov is None:
                    self.err(vline, f"unknown table-backed value set '{value}'{suggest(prefix, PROVIDERS)}; "
                                    f"providers: {', '.join(sorted(PROVIDERS)) or 'none'}")
                    return None
                if prov.arguments is not None and arg not in prov.arguments():
                    self.err(vline, f"unknown value set '{value}'{suggest(value, [f'{prefix}:{a}' for a in prov.arguments()])}")
                    return None
            elif value not in self.valuesets:
                self.err(vline, f"unknown value set '{value}'{suggest(value, self.valuesets)}; value sets live in "
                                "rules/valuesets/<name>.yaml")
                return None
            return Test(alias.name, fname, op, value, None, line)
        self.err(raw.line_of("op"), f"unknown operator {op!r}{suggest(op, OPERATORS)}")
        return None

    def _list_test(self, alias, fname, ftype, op, value, raw, vline, line):
        """any_in / all_in / none_in: a list field against a list of texts (see docs/rules.md)."""
        if ftype != "list":
            plain = "not_in" if op == "none_in" else "in"
            self.err(raw.line_of("op"), f"'{op}' is for list fields (line.modifiers, line.dx_pointers...), and "
                                        f"{alias.fact_type}.{fname} is {ftype}; did you mean '{plain}'?")
            return None
        if not isinstance(value, list) or not value:
            self.err(vline, f"'{op}' needs a list: value: ['59', XS]")
            return None
        vals = tuple(self.literal(v, "list", vline, f"{alias.fact_type}.{fname}") for v in value)
        return None if _BAD in vals else Test(alias.name, fname, op, vals, None, line)

    def _ref_test(self, alias, fname, ftype, op, value, vline, line):
        if set(value) != {"fact", "field"}:
            self.err(vline, "a value that is another field reads {fact: other, field: date_from}")
            return None
        other = self._alias(value["fact"], vline)
        if other is None:
            return None
        otype = self.field_type(other, value["field"])
        if otype is None:
            self.err(vline, f"unknown field '{value['field']}' of {other.fact_type}{suggest(value['field'], self._known_fields(other))}")
            return None
        if "any" not in (ftype, otype) and ftype != otype:
            self.err(vline, f"{alias.fact_type}.{fname} is {ftype} and {other.fact_type}.{value['field']} is {otype}; "
                            "compare fields of the same type")
            return None
        return Test(alias.name, fname, op, None, Ref(other.name, value["field"]), line)

    def literal(self, v, ftype: str, line: int, what: str):
        if isinstance(v, datetime):
            v = v.date()
        if ftype in ("text", "list"):
            if isinstance(v, str):
                return v
            self.err(line, f"{what} is text; put the value in quotes: '{v}'")
            return _BAD
        if ftype == "number":
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            self.err(line, f"{what} is a number; write a number without quotes, not {v!r}")
            return _BAD
        if ftype == "date":
            if isinstance(v, str):
                try:
                    v = date.fromisoformat(v)
                except ValueError:
                    pass
            if isinstance(v, date):
                return date_int(v)
            self.err(line, f"{what} is a date; write it as YYYY-MM-DD, not {v!r}")
            return _BAD
        if ftype == "bool":
            if isinstance(v, bool):
                return v
            self.err(line, f"{what} is true or false, not {v!r}")
            return _BAD
        if isinstance(v, date):
            return date_int(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, (str, bool)):
            return v
        self.err(line, f"{what}: write a number, text, date or true/false, not {v!r}")
        return _BAD


_BAD = object()


def _date(p: _Parser, key: str) -> Optional[date]:
    v = p.data.get(key)
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        p.err(p.data.line_of(key), f"{key} {v!r} is not a date; write YYYY-MM-DD")
        return None


def parse_rule(data, fname: str, pack: str, valuesets: dict, sha256: str = "") -> tuple[Optional[Rule], list[str]]:
    ensure_loaded()
    if not isinstance(data, LineDict):
        return None, [f"{fname}:{getattr(data, 'line', 1) or 1}: a rule file holds one mapping (id:, title:, ...), "
                      f"not {type(data).__name__}"]
    problems = schema_problems(data, fname)
    if problems:
        return None, problems
    p = _Parser(data, fname, valuesets)
    subject = p.parse_aliases()
    when = p.node(data["when"], data.line_of("when"))
    eff, exp = _date(p, "effective"), _date(p, "expires")
    if eff and exp and exp < eff:
        p.err(data.line_of("expires"), "expires is before effective")
    cases = []
    for i, c in enumerate(data.get("tests") or []):
        cases.append(RuleCase(c["name"], c["expect"], _jsonable(c["claim"]), c.get("count"),
                              _jsonable(c.get("context")) if c.get("context") is not None else None,
                              tuple(_jsonable(b) for b in c.get("batch") or ()),
                              data["tests"].item_lines[i]))
        _check_case_claim(p, cases[-1])
    _check_message(p, data)
    if p.problems or when is None:
        return None, p.problems
    return Rule(
        id=data["id"], title=data["title"], severity=data["severity"], category=data["category"],
        message=data["message"], when=when, subject=subject, aliases=dict(p.aliases),
        suggestion=data.get("suggestion"), source=data.get("source"), why=data.get("why"),
        effective=eff, expires=exp, version=str(data.get("version", "1")), tests=tuple(cases),
        pack=pack, path=fname, sha256=sha256,
    ), []


_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_.]*)\}")


def _check_message(p: _Parser, data: LineDict) -> None:
    for key in ("message", "suggestion"):
        text = data.get(key) or ""
        for alias_name, fname in _TEMPLATE.findall(text):
            alias = p.aliases.get(alias_name)
            if alias is None and alias_name == "claim":  # the claim is always at hand for messages
                alias = Alias("claim", "claim")
            if alias is None:
                p.err(data.line_of(key), f"{key} names '{{{alias_name}.{fname}}}', but the rule binds no "
                                         f"'{alias_name}' (bound: {', '.join(p.aliases)}); test a field of it or drop it")
            elif p.field_type(alias, fname) is None and fname not in ("claim_id",):
                p.err(data.line_of(key), f"{key} names unknown field '{alias_name}.{fname}'"
                                         f"{suggest(fname, p._known_fields(alias))}")


def _check_case_claim(p: _Parser, case: RuleCase) -> None:
    from scrubber.model.serialize import claim_from_dict

    for i, raw in enumerate((case.claim,) + case.batch):
        try:
            claim_from_dict(dict(raw, claim_id=raw.get("claim_id", "MADE-UP-TEST")))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            p.err(case.line, f"test '{case.name}': its claim is not a valid JSON claim: {exc}")
