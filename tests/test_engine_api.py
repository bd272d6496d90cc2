"""The Engine API the pipeline uses: findings, locations, messages, contexts, joins, value sets, verify."""
import textwrap

import pytest

from enginehelp import HEADER, claim, packs_from
from scrubber.engine.core import Engine
from scrubber.model import ClaimContext, RunError
from scrubber.fields.registry import pair_relation

# A MADE-UP pair table standing in for an NCCI PTP file (the real table is reference data):
# column 1 / column 2 / modifier indicator. Not a real edit.
MADE_UP_PTP = {("MADEUP1", "MADEUP2"): "1"}


@pair_relation("made_up_ptp", "line", "line", fields={"modifier_indicator": "text"})
def made_up_ptp(inp, a, b):
    """MADE-UP table-backed pair relation: one rule over a whole table."""
    ind = MADE_UP_PTP.get((a.code, b.code))
    if ind is None or a.date_from != b.date_from:
        return None
    return {"modifier_indicator": ind}


def rule(rid, body):
    return HEADER.format(id=rid) + textwrap.dedent(body).lstrip("\n")


@pytest.fixture
def engine_of(tmp_path):
    made = []

    def make(rules, valuesets=None, **kw):
        eng = Engine(packs_from(tmp_path, rules, valuesets), workers=kw.pop("workers", 0), **kw)
        made.append(eng)
        return eng

    yield make
    for e in made:
        e.close()


def test_finding_points_at_the_field_that_fired(engine_of):
    eng = engine_of({"TST-U-001": rule("TST-U-001", """
        for: line
        message: "line {line.number} code {line.code} units {line.units} on claim {claim.claim_id}"
        when: {all: [{fact: line, field: units, op: le, value: 0}]}
        """)})
    c = claim(lines=[{"number": 1, "code": "99213", "units": "1", "charge": "1"},
                     {"number": 2, "code": "36415", "units": "0", "charge": "1",
                      "locs": {"units": {"path": "2400[2]/SV104", "segment": 31}, "code": {"path": "2400[2]/SV101-2", "segment": 31}}}])
    found, errors = eng.evaluate([c])
    assert errors == []
    (f,) = found[0]
    assert (f.rule_id, f.line, f.location_path, f.location_segment) == ("TST-U-001", 2, "2400[2]/SV104", 31)
    assert f.message == "line 2 code 36415 units 0 on claim MADE-UP-1"
    assert f.codes == ("36415",)


def test_join_of_two_lines_on_the_same_date_names_the_other_line(engine_of):
    eng = engine_of({"TST-J-001": rule("TST-J-001", """
        for: line
        with: {other: line}
        message: "{line.code} billed with {other.code} on {line.date_from}"
        when:
          all:
            - {fact: line, field: code, op: eq, value: "MADEUP1"}
            - {fact: line, field: date_from, op: eq, value: {fact: other, field: date_from}}
        """)})
    c = claim(lines=[{"number": 1, "code": "MADEUP1", "date_from": "2024-03-01"},
                     {"number": 2, "code": "MADEUP2", "date_from": "2024-03-01"},
                     {"number": 3, "code": "MADEUP3", "date_from": "2024-03-02"}])
    found, errors = eng.evaluate([c])
    assert [f.message for f in found[0]] == ["MADEUP1 billed with MADEUP2 on 2024-03-01"]


def test_table_backed_pair_relation_is_one_rule_over_the_table(engine_of):
    eng = engine_of({"TST-PTP-001": rule("TST-PTP-001", """
        for: line
        with: {other: line, edit: {relation: made_up_ptp, from: line, to: other}}
        message: "{other.code} is a column-2 code of {line.code} (indicator {edit.modifier_indicator})"
        when: {all: [{fact: edit, field: modifier_indicator, op: ne, value: "9"}]}
        """)})
    c = claim(lines=[{"number": 1, "code": "MADEUP2", "date_from": "2024-03-01"},
                     {"number": 2, "code": "MADEUP1", "date_from": "2024-03-01"}])
    found, _ = eng.evaluate([c])
    assert [f.message for f in found[0]] == ["MADEUP2 is a column-2 code of MADEUP1 (indicator 1)"]
    assert found[0][0].line == 2


def test_line_and_the_diagnoses_it_points_to(engine_of):
    eng = engine_of({"TST-PTR-001": rule("TST-PTR-001", """
        for: line
        with: {ptr: {relation: points_to, from: line, to: diagnosis}}
        message: "line {line.number} points first at {diagnosis.code}"
        when:
          all:
            - {fact: ptr, field: rank, op: eq, value: 1}
            - {fact: diagnosis, field: code, op: in_set, value: "icd10cm-chapter:15"}
        """)})
    c = claim(diagnoses=[{"position": 1, "code": "I10", "qualifier": "ABK"}, {"position": 2, "code": "O0900", "qualifier": "ABF"}],
              lines=[{"number": 1, "code": "99213", "dx_pointers": [2, 1]}, {"number": 2, "code": "99213", "dx_pointers": [1, 2]}])
    found, _ = eng.evaluate([c])
    assert [f.message for f in found[0]] == ["line 1 points first at O0900"]


def test_value_set_ranges_and_prefixes(engine_of):
    eng = engine_of({"TST-VS-001": rule("TST-VS-001", """
        for: line
        message: "{line.code}"
        when: {any: [{fact: line, field: code, op: in_set, value: made-up-set}]}
        """)}, {"made-up-set": """
        id: made-up-set
        title: MADE-UP set
        codes: ["80047-80081", "E11.*", "G0439"]
        """})
    lines = [{"number": k + 1, "code": code} for k, code in enumerate(["80047", "80081", "80082", "E119", "E1010", "G0439", "8004"])]
    found, _ = eng.evaluate([claim(lines=lines)])
    assert sorted(f.message for f in found[0]) == ["80047", "80081", "E119", "G0439"]


def test_payer_params_disabled_rules_overrides_and_coverage(engine_of):
    eng = engine_of({
        "TST-TF-001": rule("TST-TF-001", """
            for: claim
            message: "filed {claim.days_to_submission} days after service; limit {claim.param.timely_filing_days}"
            when: {all: [{fact: claim, field: days_to_submission, op: gt, value: {fact: claim, field: param.timely_filing_days}}]}
            """),
        "TST-COV-001": rule("TST-COV-001", """
            for: claim
            message: "no active coverage"
            when: {all: [{fact: coverage, field: active, op: eq, value: false}]}
            """),
    })
    c = claim(service_from="2023-01-02", service_to="2023-01-02", created="2024-03-01")
    strict = ClaimContext(params={"timely_filing_days": 365}, coverage={"active": False})
    lenient = ClaimContext(params={"timely_filing_days": 730}, coverage={"active": True})
    muted = ClaimContext(params={"timely_filing_days": 365}, disabled_rules=frozenset({"TST-COV-001"}),
                         severity_overrides={"TST-TF-001": "warning"}, coverage={"active": False})
    found, errors = eng.evaluate([c, c, c, c], [strict, lenient, muted, ClaimContext()])
    assert errors == []
    assert sorted(f.rule_id for f in found[0]) == ["TST-COV-001", "TST-TF-001"]
    assert found[0][1].message == "filed 424 days after service; limit 365" or found[0][0].message.startswith("filed 424")
    assert 1 not in found
    assert [(f.rule_id, f.severity) for f in found[2]] == [("TST-TF-001", "warning")]
    assert 3 not in found  # no param, no coverage: nothing to compare


def test_effective_and_expires_follow_the_date_of_service(engine_of):
    eng = engine_of({"TST-EFF-001": rule("TST-EFF-001", """
        for: line
        effective: 2024-10-01
        expires: 2025-09-30
        message: "{line.date_from}"
        when: {all: [{fact: line, field: code, op: exists}]}
        """)})
    lines = [{"number": k + 1, "code": "99213", "date_from": d} for k, d in enumerate(["2024-09-30", "2024-10-01", "2025-09-30", "2025-10-01"])]
    found, _ = eng.evaluate([claim(lines=lines)])
    assert sorted(f.message for f in found[0]) == ["2024-10-01", "2025-09-30"]


def test_verify_reports_a_disagreement_as_a_run_error(engine_of, monkeypatch):
    eng = engine_of({"TST-U-001": rule("TST-U-001", """
        for: line
        message: "x"
        when: {all: [{fact: line, field: units, op: le, value: 0}]}
        """)}, verify=True)
    c = claim(lines=[{"number": 1, "code": "99213", "units": "0"}])
    found, errors = eng.evaluate([c])
    assert errors == [] and len(found[0]) == 1
    monkeypatch.setattr(eng.oracle, "run", lambda cf: set())  # a reference that disagrees
    found, errors = eng.evaluate([c])
    assert [e.kind for e in errors] == ["verify-mismatch"]
    assert "MADE-UP-1" in errors[0].message and "TST-U-001" in errors[0].message


def test_rulesets_info_names_each_pack_with_its_digest(engine_of):
    eng = engine_of({"TST-U-001": rule("TST-U-001", """
        message: "x"
        when: {all: [{fact: claim, field: claim_id, op: exists}]}
        """)})
    (info,) = eng.rulesets_info()
    assert info["id"] == "madeup" and len(info["sha256"]) == 64 and "version" in info


def test_forked_workers_give_the_same_findings(engine_of):
    body = """
        for: line
        message: "{line.code}"
        when: {all: [{fact: line, field: units, op: ge, value: 2}]}
        """
    inproc = engine_of({"TST-W-001": rule("TST-W-001", body)})
    claims = [claim(claim_id=f"MADE-UP-{k}", lines=[{"number": 1, "code": "99213", "units": str(k % 3)}]) for k in range(50)]
    forked = Engine(inproc.packs, workers=2)
    try:
        a, ea = inproc.evaluate(claims)
        b, eb = forked.evaluate(claims)
    finally:
        forked.close()
    assert a == b and ea == eb == []
    assert len(a) == 16
