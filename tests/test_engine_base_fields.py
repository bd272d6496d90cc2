"""Facts carry the base fields the loaded rules, their messages and findings read, and no others
(scrubber.engine.base). What a user would notice if it were wrong: a rule or message reading a field
that was left out (a test that never holds, "(none)" in a message); the other way round, patient
names in every fact of a run whose rules never look at them. MADE-UP rules, people and claims.
"""
from enginehelp import HEADER, claim, packs_from

from scrubber.engine.base import BaseFields, base_objects
from scrubber.engine.core import Engine
from scrubber.model import ClaimContext

LINE = {"number": 1, "code": "99213", "units": 1, "charge": "100.00", "date_from": "2024-01-02",
        "providers": [{"role": "rendering", "npi": "1234567893"}]}
PATIENT = {"member_id": "MADE-UP-M1", "last_name": "MADE-UP-LAST", "first_name": "MADE-UP-FIRST", "sex": "F",
           "birth_date": "1980-05-01"}


def _engine(tmp_path, rules: dict) -> Engine:
    return Engine(packs_from(tmp_path, rules), workers=0)


def _facts(engine: Engine):
    c = claim(service_from="2024-01-02", total_charge="100.00", lines=[LINE], subscriber=PATIENT,
              diagnoses=[{"position": 1, "code": "E119", "qualifier": "ABK"}])
    cfs, errors = engine.build_facts([c], None)
    assert not errors
    return cfs[0]


CHARGE_RULE = HEADER.format(id="MADE-UP-CHG") + """\
message: Line charge {line.charge}
for: line
when: {fact: line, field: units, op: gt, value: 5}
"""
SEX_RULE = HEADER.format(id="MADE-UP-SEX") + """\
message: Patient sex {patient.sex}
for: patient
when: {fact: patient, field: sex, op: eq, value: F}
"""
NAME_RULE = HEADER.format(id="MADE-UP-NAME") + """\
message: Patient {patient.last_name}
for: patient
when: {fact: patient, field: sex, op: eq, value: F}
"""


def test_fields_no_rule_reads_are_not_in_the_facts(tmp_path):
    cf = _facts(_engine(tmp_path, {"MADE-UP-CHG": CHARGE_RULE, "MADE-UP-SEX": SEX_RULE}))
    patient = cf.facts["patient"][0].values
    assert patient["sex"] == "F"
    assert "last_name" not in patient and "first_name" not in patient and "birth_date" not in patient
    line = cf.facts["line"][0].values
    assert line["charge"] == 100.0 and line["units"] == 1 and line["code"] == "99213"  # read by the rule / findings
    assert "rendering_npi" not in line and "unit_basis" not in line


def test_a_field_only_a_message_reads_is_filled_and_rendered(tmp_path):
    engine = _engine(tmp_path, {"MADE-UP-NAME": NAME_RULE})
    cf = _facts(engine)
    assert cf.facts["patient"][0].values["last_name"] == "MADE-UP-LAST"
    findings, errors = engine.evaluate([cf.claim])
    assert not errors and [f.message for f in findings[0]] == ["Patient MADE-UP-LAST"]


def test_every_field_is_filled_when_asked_for():
    c = claim(service_from="2024-01-02", lines=[LINE], subscriber=PATIENT)
    objs = base_objects(c, ClaimContext(), BaseFields.every())
    assert objs["patient"][0][1]["last_name"] == "MADE-UP-LAST"
    assert objs["line"][0][1]["rendering_npi"] == "1234567893"


PARAM_RULE = HEADER.format(id="MADE-UP-PARAM") + """\
message: Limit {claim.param.made_up_limit}
for: claim
when: {fact: claim, field: param.made_up_flag, op: eq, value: true}
"""


def test_only_the_profile_parameters_a_rule_or_message_reads_are_in_the_claim_fact(tmp_path):
    engine = _engine(tmp_path, {"MADE-UP-PARAM": PARAM_RULE})
    c = claim(service_from="2024-01-02", total_charge="100.00", lines=[LINE], subscriber=PATIENT)
    ctx = ClaimContext(params={"made_up_flag": True, "made_up_limit": 7, "made_up_unread": [{"code": "99213"}]})
    cfs, errors = engine.build_facts([c], [ctx])
    values = cfs[0].facts["claim"][0].values
    assert not errors and values["param__made_up_flag"] is True and values["param__made_up_limit"] == 7.0
    assert "param__made_up_unread" not in values
    findings, errors = engine.evaluate([c], [ctx])
    assert not errors and [f.message for f in findings[0]] == ["Limit 7"]
    objs = base_objects(c, ctx, BaseFields.every())  # every parameter when asked for all fields
    assert objs["claim"][0][1]["param__made_up_unread"]
