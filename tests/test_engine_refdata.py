"""Reference-data-backed extension points: PTP and Excludes1 pair relations, MUE fields, ICD-10-CM sets.

The PTP and MUE tables are the MADE-UP samples in fixtures/refdata (CMS layouts, made-up pairs);
ICD-10-CM is the built-in code set.
"""
import textwrap
from pathlib import Path

import pytest

from datadir import seeded
from enginehelp import HEADER, claim, packs_from
from scrubber.engine.core import Engine
from scrubber.refdata import open_refdata
from scrubber.refdata.ncci import import_mue, import_ptp

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refdata"


def rule(rid, body):
    return HEADER.format(id=rid) + textwrap.dedent(body).lstrip("\n")


@pytest.fixture(scope="module")
def refdata(tmp_path_factory):
    rd = open_refdata(seeded(tmp_path_factory.mktemp("refdata")))  # the built-in ICD-10-CM store, already built
    import_ptp(rd.store, FIX / "SAMPLE-ccipra-v320r0-f1.txt")
    import_mue(rd.store, FIX / "SAMPLE-MUE-Practitioner-2026Q1.csv")
    yield rd
    rd.close()


RULES = {
    "TST-PTP-001": rule("TST-PTP-001", """
        for: line
        with: {other: line, edit: {relation: ncci_ptp, from: other, to: line}}
        message: "{line.code} is bundled into {other.code} (modifier indicator {edit.modifier_indicator})"
        when:
          all:
            - {fact: edit, field: modifier_indicator, op: ne, value: 9}
            - any:
                - {fact: edit, field: modifier_indicator, op: eq, value: 0}
                - {fact: line, field: modifiers, op: missing}
        """),
    "TST-MUE-001": rule("TST-MUE-001", """
        for: line
        message: "{line.units_on_date} units of {line.code} on {line.date_from}; MUE {line.mue_value}"
        when:
          all:
            - {fact: line, field: units_on_date, op: gt, value: {fact: line, field: mue_value}}
        """),
    "TST-EX1-001": rule("TST-EX1-001", """
        for: diagnosis
        with: {other: diagnosis, note: {relation: excludes1, from: diagnosis, to: other}}
        message: "{diagnosis.code} and {other.code} are an Excludes1 pair"
        when: {all: [{fact: diagnosis, field: code, op: exists}]}
        """),
    "TST-MAT-001": rule("TST-MAT-001", """
        for: diagnosis
        message: "{diagnosis.code} is a maternity code for a patient aged {patient.age_years}"
        when:
          all:
            - {fact: diagnosis, field: code, op: in_set, value: "icd10cm:maternity"}
            - {fact: patient, field: age_years, op: lt, value: 12}
        """),
}


def test_ncci_ptp_relation_fires_on_the_column_2_line_unless_a_modifier_bypasses_it(tmp_path, refdata):
    eng = Engine(packs_from(tmp_path, {"TST-PTP-001": RULES["TST-PTP-001"]}), refdata=refdata, workers=0, verify=True)
    lines = [{"number": 1, "code": "11111", "date_from": "2026-02-01"},
             {"number": 2, "code": "22222", "date_from": "2026-02-01"},               # indicator 1, no modifier: fires
             {"number": 3, "code": "33333", "date_from": "2026-02-01", "modifiers": ["59"]},  # indicator 0: fires
             {"number": 4, "code": "22222", "date_from": "2026-02-02"}]               # another date: no edit
    found, errors = eng.evaluate([claim(service_from="2026-02-01", lines=lines)])
    assert errors == []
    assert [(f.line, f.message) for f in found[0]] == [
        (2, "22222 is bundled into 11111 (modifier indicator 1)"),
        (3, "33333 is bundled into 11111 (modifier indicator 0)"),
    ]


def test_mue_value_compares_units_on_the_date(tmp_path, refdata):
    eng = Engine(packs_from(tmp_path, {"TST-MUE-001": RULES["TST-MUE-001"]}), refdata=refdata, workers=0, verify=True)
    lines = [{"number": 1, "code": "22222", "units": "3", "date_from": "2026-02-01"},
             {"number": 2, "code": "22222", "units": "2", "date_from": "2026-02-01"},
             {"number": 3, "code": "22222", "units": "4", "date_from": "2026-02-02"}]
    found, errors = eng.evaluate([claim(service_from="2026-02-01", lines=lines)])
    assert errors == []
    assert sorted(f.line for f in found[0]) == [1, 2]
    assert found[0][0].message == "5 units of 22222 on 2026-02-01; MUE 4"


def test_excludes1_pair_and_a_table_backed_icd10cm_set(tmp_path, refdata):
    eng = Engine(packs_from(tmp_path, {k: RULES[k] for k in ("TST-EX1-001", "TST-MAT-001")}), refdata=refdata,
                 workers=0, verify=True)
    c = claim(service_from="2025-03-01",
              subscriber={"member_id": "MADE-UP-M1", "birth_date": "2020-01-01"},
              diagnoses=[{"position": 1, "code": "E119", "qualifier": "ABK"},
                         {"position": 2, "code": "E109", "qualifier": "ABF"},
                         {"position": 3, "code": "O0900", "qualifier": "ABF"}])
    found, errors = eng.evaluate([c])
    assert errors == []
    assert sorted(f.message for f in found[0]) == [
        "E119 and E109 are an Excludes1 pair",
        "O0900 is a maternity code for a patient aged 5",
    ]
