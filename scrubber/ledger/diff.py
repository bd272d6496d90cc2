"""`audit diff RUN_A RUN_B`: which findings appeared and which disappeared between two runs.

What an auditor asks after a quarterly NCCI update or a rule change. Findings are matched on
the claim (its id, and its occurrence when an id repeats), the rule, the service line, the X12
location and the codes; not on the message, whose wording may change with a rule's text.
Matching is by multiset, so a finding that fires twice in one run and once in the other
counts once as appeared. Also reported: what changed in the run's rule packs, reference-data
editions, payer profiles and inputs, which is usually the why.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scrubber.ledger import FindingRow, Ledger


@dataclass
class RunDiff:
    run_a: int
    run_b: int
    appeared: list[FindingRow] = field(default_factory=list)
    disappeared: list[FindingRow] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # rule packs, reference data, profiles, inputs

    def to_dict(self) -> dict:
        def f(x: FindingRow) -> dict:
            return {"claim_id": x.claim_id, "rule_id": x.rule_id, "severity": x.severity, "category": x.category,
                    "message": x.message, "line": x.line,
                    "location": {"path": x.location_path, "segment": x.location_segment}, "codes": list(x.codes)}

        return {"run_a": self.run_a, "run_b": self.run_b, "changes": self.changes,
                "appeared": [f(x) for x in self.appeared], "disappeared": [f(x) for x in self.disappeared]}


def _keys(rows: list[FindingRow], claims: list[dict]) -> list[tuple]:
    occurrence: dict[int, int] = {}
    seen: Counter = Counter()
    for c in claims:
        seen[c["claim_id"]] += 1
        occurrence[c["seq"]] = seen[c["claim_id"]]
    return [(r.claim_id, occurrence.get(r.claim_seq, 1), r.rule_id, r.line, r.location_path, r.codes) for r in rows]


def _changes(name: str, key: str, a: list[dict], b: list[dict]) -> list[str]:
    """What changed in one list of a run's record (rule packs, reference data, ...), keyed by ``key``.

    A key may hold several entries (two editions of one table are both loaded, each for its
    dates of service): then each edition that came or went is listed on its own.
    """
    da: dict = {}
    db: dict = {}
    for side, items in ((da, a), (db, b)):
        for x in items:
            side.setdefault(x.get(key), []).append(_desc(x))
    out = []
    for k in sorted(set(da) | set(db), key=str):
        before, after = da.get(k, []), db.get(k, [])
        if sorted(before) == sorted(after):
            continue
        if len(before) == 1 and len(after) == 1:
            out.append(f"{name} changed: {k} {before[0]} -> {after[0]}")
            continue
        out += [f"{name} removed: {k} {d}".rstrip() for d in before if d not in after]
        out += [f"{name} added: {k} {d}".rstrip() for d in after if d not in before]
    return out


def _desc(d: dict) -> str:
    parts = [str(d[k]) for k in ("version", "edition") if d.get(k)]
    if d.get("sha256"):
        parts.append(f"sha256 {d['sha256'][:12]}")
    return " ".join(parts)


def diff_runs(ledger: Ledger, ref_a, ref_b) -> RunDiff:
    a, b = ledger.resolve(ref_a), ledger.resolve(ref_b)
    rows_a, rows_b = ledger.findings(a), ledger.findings(b)
    keys_a, keys_b = _keys(rows_a, ledger.claims(a)), _keys(rows_b, ledger.claims(b))
    left = Counter(keys_a)
    right = Counter(keys_b)
    result = RunDiff(a, b)
    budget = right - left
    for row, key in zip(rows_b, keys_b):
        if budget[key] > 0:
            budget[key] -= 1
            result.appeared.append(row)
    budget = left - right
    for row, key in zip(rows_a, keys_a):
        if budget[key] > 0:
            budget[key] -= 1
            result.disappeared.append(row)
    info_a, info_b = ledger.run_info(a), ledger.run_info(b)
    result.changes += _changes("rule pack", "id", info_a["rulesets"], info_b["rulesets"])
    result.changes += _changes("reference data", "kind", info_a["refdata"], info_b["refdata"])
    result.changes += _changes("payer profile", "id", info_a["payer_profiles"], info_b["payer_profiles"])
    result.changes += _changes("input", "path", info_a["inputs"], info_b["inputs"])
    return result
