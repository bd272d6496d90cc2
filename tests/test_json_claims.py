"""JSON claims: the three file forms, schema errors by JSON pointer, and the schema against the model."""
import dataclasses
import json
from decimal import Decimal

import jsonschema
import pytest

from conftest import ROOT
from scrubber import model as m
from scrubber.model import ClaimRecord, RunError
from scrubber.model.serialize import claim_to_dict
from scrubber.readers import iter_records
from scrubber.readers.json_claims.reader import claim_schema

# A made-up claim in the JSON form.
CLAIM = {
    "claim_id": "MADE-UP-J1", "kind": "837P", "total_charge": "150.00",
    "patient": {"last_name": "MADEUP", "birth_date": "1980-02-29", "sex": "F"},
    "diagnoses": [{"code": "E119", "qualifier": "ABK"}, {"code": "I10", "qualifier": "ABF"}],
    "lines": [{"code": "99213", "modifiers": ["25"], "charge": 150, "units": 1, "dx_pointers": [1, 2], "date_from": "2025-01-05"}],
}


def read(tmp_path, doc, name="c.json"):
    f = tmp_path / name
    f.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return list(iter_records([str(f)])), str(f)


@pytest.mark.parametrize("form", ["object", "list", "claims"])
def test_the_three_file_forms(tmp_path, form):
    doc = {"object": CLAIM, "list": [CLAIM, CLAIM], "claims": {"claims": [CLAIM]}}[form]
    recs, path = read(tmp_path, doc)
    assert all(isinstance(r, ClaimRecord) and r.claim is not None for r in recs)
    c = recs[0].claim
    assert c.claim_id == "MADE-UP-J1" and c.lines[0].charge == Decimal("150") and c.source.path == path
    assert [d.position for d in c.diagnoses] == [1, 2] and c.lines[0].number == 1


def test_values_point_at_their_json_location(tmp_path):
    recs, _ = read(tmp_path, {"claims": [CLAIM, CLAIM]})
    c = recs[1].claim
    assert c.lines[0].locs["charge"].path == "/claims/1/lines/0/charge"
    assert c.diagnoses[1].locs["code"].path == "/claims/1/diagnoses/1/code"
    assert c.locs["total_charge"].path == "/claims/1/total_charge" and c.source.segment == 2


@pytest.mark.parametrize("change,message", [
    (lambda d: d["lines"][0].update(charge="abc"), "/claims/1/lines/0/charge: 'abc' is not a number"),
    (lambda d: d.update(service_from="2023-02-30"), "/claims/1/service_from: '2023-02-30' is not a valid date (YYYY-MM-DD)"),
    (lambda d: d.update(colour="blue"), "/claims/1: unknown key 'colour'"),
    (lambda d: d["diagnoses"][0].pop("qualifier"), "/claims/1/diagnoses/0: the required key 'qualifier' is missing"),
    (lambda d: d.update(kind="837D"), "/claims/1/kind: '837D' is not one of"),
])
def test_an_invalid_claim_is_unreadable_with_its_pointer_and_the_rest_goes_on(tmp_path, change, message):
    bad = json.loads(json.dumps(CLAIM))
    bad["claim_id"] = "MADE-UP-BAD"
    change(bad)
    recs, path = read(tmp_path, {"claims": [CLAIM, bad, CLAIM]})
    assert [r.claim is not None for r in recs] == [True, False, True]
    err = recs[1].error
    assert err.kind == "unreadable-claim" and err.message.startswith(message) and err.path == path and err.segment == 2
    assert recs[1].claim_id == "MADE-UP-BAD"


def test_null_means_absent(tmp_path):
    recs, _ = read(tmp_path, [dict(CLAIM, payer=None, total_charge=None)])
    assert recs[0].claim.payer is None and recs[0].claim.total_charge is None


@pytest.mark.parametrize("text,expect", [
    ('{"claims": [', "invalid JSON at line 1"),
    ('[{"name": "not a claim"}]', "no object in it has a claim_id"),
    ('"just a string"', "not an X12 837 or JSON claim file"),
    ('[1, 2]', "no object in it has a claim_id"),
    ('{"claims": 5}', "/claims: expected a list"),
])
def test_unusable_json_files_are_run_errors(tmp_path, text, expect):
    recs, path = read(tmp_path, text)
    assert len(recs) == 1 and isinstance(recs[0], RunError) and recs[0].kind == "unreadable-file"
    assert expect in recs[0].message and recs[0].path == path


def test_schema_names_every_model_field():
    defs = claim_schema()["$defs"]
    for cls in (m.Claim, m.ServiceLine, m.Diagnosis, m.CodeEntry, m.Provider, m.Person, m.Payer, m.OtherPayer, m.Address, m.Source):
        names = {f.name for f in dataclasses.fields(cls)} - {"raw"}
        assert set(defs[cls.__name__]["properties"]) == names, cls.__name__
    jsonschema.Draft202012Validator.check_schema(claim_schema())


def test_x12_claims_round_trip_through_the_json_form(tmp_path):
    x12 = [r.claim for r in iter_records([str(ROOT / "fixtures" / "x12" / "837-several-interchanges.837")])]
    recs, _ = read(tmp_path, {"claims": [claim_to_dict(c) for c in x12]})
    assert len(recs) == len(x12) >= 2 and all(r.error is None for r in recs)
    for a, b in zip(x12, (r.claim for r in recs)):
        assert dataclasses.replace(a, source=b.source) == b
