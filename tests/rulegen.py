"""Generated rules and claims for the oracle-agreement property test and bench/bench_engine.py.

Everything here is MADE-UP test data: the codes are drawn from small pools of real code
*formats* so that tests match often; they assert nothing about any real payer policy.
Rules are built as the YAML data an author writes and go through the real loader.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from scrubber.model.serialize import claim_from_dict
from scrubber.rulespec.parse import parse_rule
from scrubber.rulespec.yamlload import load_yaml_text

LINE_CODES = ["99213", "99214", "36415", "80053", "85025", "93000", "J1100", "G0439"]
DX_CODES = ["E119", "I10", "Z0000", "J069", "O0900", "R7303", "E785", "M545"]
MODS = ["25", "59", "LT", "RT", "76", "XU"]
POS = ["11", "22", "21"]
NPIS = ["1234567893", "1234567890", "1245319599", "1003000126", "999"]
BASE = date(2024, 1, 1)

# (fact type, field, kind) where kind picks literal generators
FIELDS = {
    "line": [("code", "code"), ("units", "units"), ("charge", "money"), ("date_from", "date"), ("modifiers", "mods"),
             ("place_of_service", "pos"), ("modifier1", "mod"), ("dx_pointers", "ptrs"), ("units_on_date", "units"),
             ("same_code_same_date", "units"), ("batch_duplicate_of", "text"), ("number", "units")],
    "claim": [("total_charge", "money"), ("kind", "kind"), ("service_from", "date"), ("param.limit", "money"),
              ("total_matches_lines", "bool"), ("diagnosis_count", "units"), ("place_of_service", "pos")],
    "diagnosis": [("code", "dx"), ("position", "units"), ("is_principal", "bool"), ("poa", "poa")],
    "provider": [("npi", "npi"), ("role", "role"), ("npi_valid", "bool")],
    "patient": [("sex", "sex"), ("birth_date", "date"), ("age_years", "age")],
    "coverage": [("active", "bool"), ("start", "date"), ("plan", "text")],
}
ORDERED = {"units", "money", "date", "age"}
VALUESETS = {"office-visits": ["99213-99215"], "dx-diabetes": ["E11.*", "R7303"], "mods-distinct": ["59", "XU"]}


def literal(rnd: random.Random, kind: str):
    if kind == "code":
        return rnd.choice(LINE_CODES)
    if kind == "dx":
        return rnd.choice(DX_CODES)
    if kind in ("units", "age"):
        return rnd.choice([0, 1, 2, 3, 4]) if kind == "units" else rnd.choice([0, 12, 40, 65])
    if kind == "money":
        return rnd.choice([0, 40, 100, 100.5, 250])
    if kind == "date":
        return BASE + timedelta(days=rnd.choice([0, 1, 2, 5]))
    if kind in ("mods", "mod"):
        return rnd.choice(MODS)
    if kind == "ptrs":
        return rnd.choice(["1", "1 2", "2"])
    if kind == "pos":
        return rnd.choice(POS)
    if kind == "kind":
        return rnd.choice(["837P", "837I"])
    if kind == "bool":
        return rnd.choice([True, False])
    if kind == "poa":
        return rnd.choice(["Y", "N"])
    if kind == "npi":
        return rnd.choice(NPIS)
    if kind == "role":
        return rnd.choice(["billing", "rendering", "referring"])
    if kind == "sex":
        return rnd.choice(["F", "M", "U"])
    return rnd.choice(["MADE-UP-A", "MADE-UP-B"])


def _regex(rnd, kind):
    return {"code": rnd.choice(["99[0-9]{3}", "J.*", "8.05."]), "dx": rnd.choice(["E.*", "I10|J069", "O[0-9]+"]),
            "mods": rnd.choice([".*25.*", "LT|RT"]), "npi": "[0-9]{10}"}.get(kind, ".*A")


def test_node(rnd: random.Random, aliases: dict, prefer: str | None = None) -> dict:
    alias = prefer or rnd.choice(list(aliases))
    ftype = aliases[alias]
    if ftype == "rel":
        return {"fact": alias, "field": "rank", "op": rnd.choice(["eq", "le", "gt"]), "value": rnd.choice([1, 2])}
    fname, kind = rnd.choice(FIELDS[ftype])
    ops = ["eq", "ne", "in", "not_in", "exists", "missing", "matches"]
    if kind in ORDERED:
        ops += ["lt", "le", "gt", "ge", "between"]
    if kind in ("code", "dx", "mods"):
        ops += ["in_set"] * 2
    if kind in ("mods", "ptrs"):  # list fields: lint refuses in / not_in there; list semantics instead
        ops = [o for o in ops if o not in ("in", "not_in")] + ["any_in", "all_in", "none_in"]
    if fname == "param.limit":
        ops = ["eq", "lt", "gt", "exists", "missing"]
    op = rnd.choice(ops)
    node = {"fact": alias, "field": fname, "op": op}
    # field-to-field comparisons: across aliases of one type, or two number fields of one fact
    if op in ("eq", "ne", "lt", "le", "gt", "ge") and rnd.random() < 0.3:
        same = [a for a, t in aliases.items() if t == ftype and a != alias]
        if same:
            node["value"] = {"fact": rnd.choice(same), "field": fname}
            return node
        if ftype == "claim" and kind == "money":
            node["value"] = {"fact": alias, "field": rnd.choice(["total_charge", "param.limit"])}
            return node
        if ftype == "line" and kind == "units":
            node["value"] = {"fact": alias, "field": rnd.choice(["units", "number", "units_on_date"])}
            return node
    if op in ("exists", "missing"):
        return node
    if op in ("in", "not_in"):
        node["value"] = [literal(rnd, kind) for _ in range(rnd.randint(1, 3))]
    elif op in ("any_in", "all_in", "none_in"):
        node["value"] = rnd.sample(MODS if kind == "mods" else ["1", "2", "3"], rnd.randint(1, 3))
    elif op == "between":
        a, b = sorted([literal(rnd, kind), literal(rnd, kind)])
        node["value"] = [a, b]
    elif op == "matches":
        node["value"] = _regex(rnd, kind)
    elif op == "in_set":
        node["value"] = {"code": "office-visits", "dx": "dx-diabetes", "mods": "mods-distinct"}[kind]
        if kind == "dx" and rnd.random() < 0.3:
            node["value"] = "icd10cm-chapter:15"
    else:
        v = literal(rnd, kind)
        node["value"] = str(v) if fname == "param.limit" and rnd.random() < 0.1 else v
    return node


def tree(rnd: random.Random, aliases: dict, depth: int) -> dict:
    r = rnd.random()
    if depth <= 0 or r < 0.35:
        return test_node(rnd, aliases)
    if r < 0.5:
        return {"not": tree(rnd, aliases, depth - 1)}
    kind = "all" if r < 0.78 else "any"
    return {kind: [tree(rnd, aliases, depth - 1) for _ in range(rnd.randint(1, 3))]}


SHAPES = [
    ("claim", {}), ("line", {}), ("diagnosis", {}), ("provider", {}), ("patient", {}), ("coverage", {}),
    ("line", {"claim": "claim"}), ("line", {"other": "line"}), ("diagnosis", {"other": "diagnosis"}),
    ("line", {"dx": "diagnosis"}), ("line", {"ptr": "rel"}),
]


ANCHORS = {  # selective first tests, as real rules have (bench): MADE-UP choices of real code numbers
    "line": lambda rnd: {"all": [{"fact": "line", "field": "code", "op": "eq", "value": rnd.choice(LINE_CODES)},
                                 {"fact": "line", "field": "units", "op": "ge", "value": rnd.choice([2, 3])}]},
    "diagnosis": lambda rnd: {"all": [{"fact": "diagnosis", "field": "code", "op": "eq", "value": rnd.choice(DX_CODES)},
                                      {"fact": "diagnosis", "field": "position", "op": "ge", "value": 4}]},
    "claim": lambda rnd: {"fact": "claim", "field": "total_charge", "op": "gt", "value": rnd.choice([1500, 2500])},
    "provider": lambda rnd: {"fact": "provider", "field": "npi", "op": "matches", "value": rnd.choice(["1[0-9]*7", "12[0-9]*"])},
    "patient": lambda rnd: {"fact": "patient", "field": "age_years", "op": "lt", "value": rnd.choice([2, 5])},
    "coverage": lambda rnd: {"fact": "coverage", "field": "active", "op": "eq", "value": False},
}


def rule_data(rnd: random.Random, n: int, anchored: bool = False) -> dict:
    subject, extra = rnd.choice(SHAPES)
    aliases = {subject: subject}
    with_ = {}
    for name, t in extra.items():
        aliases[name] = t
        if t == "rel":
            aliases["diagnosis"] = "diagnosis"
            with_[name] = {"relation": "points_to", "from": subject, "to": "diagnosis"}
        elif name != t:
            with_[name] = t
    parts = [tree(rnd, aliases, 2)]
    if anchored:
        parts.insert(0, ANCHORS[subject](rnd))
    for name in extra:  # make sure joined aliases are tested (they bind anyway)
        parts.append(test_node(rnd, aliases, prefer=name))
    data = {"id": f"GEN-R-{n:03d}", "title": "MADE-UP generated rule", "severity": rnd.choice(["error", "warning"]),
            "category": "data-integrity", "message": f"MADE-UP {{{subject}.dos}} rule {n}", "for": subject,
            "when": {"all": parts}}
    if with_:
        data["with"] = with_
    if rnd.random() < 0.2:
        data["effective"] = BASE + timedelta(days=1)
    if rnd.random() < 0.1:
        data["expires"] = BASE + timedelta(days=2)
    return data


def to_yaml(data) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def make_rules(rnd: random.Random, count: int, valuesets: dict, anchored: bool = False):
    """``count`` generated rules through the real loader (parse_rule); problems raise."""
    rules = []
    for n in range(count):
        text = to_yaml(rule_data(rnd, n, anchored))
        data = load_yaml_text(text, f"<gen {n}>")
        rule, problems = parse_rule(data, f"<gen {n}>", "gen", valuesets)
        if problems:
            raise AssertionError("\n".join(problems) + "\n" + text)
        rules.append(rule)
    return rules


def make_valuesets():
    from scrubber.rulespec.valuesets import ValueSet

    return {name: ValueSet.from_entries(name, codes)[0] for name, codes in VALUESETS.items()}


def claim_dict(rnd: random.Random, k: int, lines_mean: float = 3.5) -> dict:
    n_dx = rnd.randint(0, 4)
    n_lines = max(0, min(12, rnd.choice([0, 1, 2, 2, 3, 3, 4, 5, 6, 8]) + (1 if rnd.random() < 0.9 else 0)))
    start = BASE + timedelta(days=rnd.choice([0, 0, 1, 2, 5]))
    lines = []
    for i in range(n_lines):
        d = start + timedelta(days=rnd.choice([0, 0, 0, 1]))
        line = {"number": i + 1, "code": rnd.choice(LINE_CODES), "units": rnd.choice([0, 1, 1, 1, 2, 3]),
                "charge": rnd.choice(["40.00", "100.00", "100.50", "250.00"]), "date_from": d.isoformat(),
                "modifiers": rnd.sample(MODS, rnd.choice([0, 0, 1, 2])), "place_of_service": rnd.choice(POS),
                "dx_pointers": rnd.sample([1, 2, 3, 4, 5], rnd.choice([0, 1, 1, 2]))}
        if rnd.random() < 0.1:
            del line["units"]
        if rnd.random() < 0.2:
            line["providers"] = [{"role": "rendering", "npi": rnd.choice(NPIS)}]
        lines.append(line)
    total = sum(float(ln["charge"]) for ln in lines)
    c = {"claim_id": f"MADE-UP-{k}", "kind": rnd.choice(["837P", "837P", "837I"]),
         "total_charge": f"{total + rnd.choice([0, 0, 0, 10]):.2f}", "service_from": start.isoformat(),
         "place_of_service": rnd.choice(POS),
         "diagnoses": [{"position": i + 1, "code": rnd.choice(DX_CODES), "qualifier": "ABK" if i == 0 else "ABF",
                        "poa": rnd.choice(["Y", "N"])} for i in range(n_dx)],
         "providers": [{"role": rnd.choice(["billing", "referring"]), "npi": rnd.choice(NPIS)}
                       for _ in range(rnd.randint(0, 2))],
         "subscriber": {"member_id": f"MADE-UP-M{rnd.randint(1, 30)}", "sex": rnd.choice(["F", "M"]),
                        "birth_date": (BASE - timedelta(days=rnd.randint(0, 30000))).isoformat()},
         "lines": lines}
    if rnd.random() < 0.1:
        del c["total_charge"]
    return c


def make_claims(rnd: random.Random, count: int, start: int = 0):
    return [claim_from_dict(claim_dict(rnd, start + k)) for k in range(count)]


def make_context(rnd: random.Random):
    from scrubber.model import ClaimContext

    params = {} if rnd.random() < 0.3 else {"limit": rnd.choice([0, 100, 250.0, "MADE-UP-TEXT"])}
    cov = None if rnd.random() < 0.3 else {"active": rnd.random() < 0.7, "plan": rnd.choice(["MADE-UP-A", "MADE-UP-B"]),
                                            "start": BASE, "end": None if rnd.random() < 0.5 else BASE + timedelta(days=1)}
    return ClaimContext(params=params, coverage=cov)
