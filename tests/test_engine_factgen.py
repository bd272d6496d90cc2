"""The generated per-type fact builder (scrubber.engine.factgen) stores derived values as the rules read them.

Derived fields are MADE-UP (registered for the test, removed after); the claims are made up too.
"""
from decimal import Decimal

from enginehelp import claim, packs_from
from scrubber.engine.core import Engine
from scrubber.fields.registry import DERIVED, DeriveInput, derived_field

HEADER = "id: {id}\ntitle: MADE-UP test rule\nseverity: error\ncategory: data-integrity\nfor: line\nmessage: x\n"
VALUES = {"1": "TEXT", "2": "", "3": Decimal("7.5"), "4": ("A", "B"), "5": True}


def _engine(tmp_path):
    @derived_field("line", "made_up_value", type="any")
    def made_up_value(inp):
        return VALUES[str(int(inp.obj.number))]

    @derived_field("line", "made_up_explodes", type="number")
    def made_up_explodes(inp):
        if inp.obj.number == 2:
            raise ZeroDivisionError("MADE-UP failure")
        return 1.0

    rules = {"TST-G-001": HEADER.format(id="TST-G-001") + "when: {all: [{fact: line, field: made_up_value, op: exists}]}\n",
             "TST-G-002": HEADER.format(id="TST-G-002") + "when: {all: [{fact: line, field: made_up_explodes, op: gt, value: 0}]}\n"}
    return Engine(packs_from(tmp_path, rules), workers=0)


def test_derived_values_errors_and_ids_on_each_fact(tmp_path):
    try:
        eng = _engine(tmp_path)
        c = claim(lines=[{"number": k, "code": "99213"} for k in range(1, 6)])
        cfs, errors = eng.build_facts([c], None)
        found, _ = eng.evaluate([c])
    finally:  # the registry is the process's vocabulary: a made-up field must not outlive its test
        DERIVED.pop(("line", "made_up_value"), None)
        DERIVED.pop(("line", "made_up_explodes"), None)
    lines = [f.values for f in cfs[0].facts["line"]]
    assert [v.get("made_up_value") for v in lines] == ["TEXT", None, 7.5, "A B", True]  # "" is missing
    assert isinstance(lines[2]["made_up_value"], float)
    # the failing field is a run error on line 2 only; its other derived field is still there
    assert [v.get("made_up_explodes") for v in lines] == [1.0, None, 1.0, 1.0, 1.0]
    assert len(errors) == 1 and "line.made_up_explodes" in errors[0].message and "ZeroDivisionError" in errors[0].message
    cid = cfs[0].cid
    assert [(v["t"], v["cid"], v["i"], v["id"]) for v in lines] == [("line", cid, k, f"{cid}:line:{k}") for k in range(5)]
    fired = sorted((f.rule_id, f.line) for f in found[0])
    assert [ln for rid, ln in fired if rid == "TST-G-001"] == [1, 3, 4, 5]
    assert [ln for rid, ln in fired if rid == "TST-G-002"] == [1, 3, 4, 5]


def test_derive_input_is_immutable_and_named():
    inp = DeriveInput(claim=None, obj="o", context=None, refdata=None, batch=None, fact={})
    assert inp.obj == "o" and inp.fact == {}
    try:
        inp.obj = "x"
    except AttributeError:
        pass
    else:
        raise AssertionError("DeriveInput must stay immutable")
