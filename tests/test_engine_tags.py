"""The generated tag function gives the rule language's answer (``literal_test``) for ``in`` / ``not_in``.

Tags compile some lists of literals to set or tuple membership instead of a ``literal_test`` call
(texts among texts, numbers among numbers); the rule language compares only equal kinds (a bool
is no number, a text is no number, a missing value is in nothing and not in nothing). Values here
are MADE-UP field values of every kind a fact can hold.
"""
import pytest

from scrubber.engine.tags import literal_test, tag_function

FACT_VALUES = [None, "", "ABN", "abn", "XYZ", "2", 2, 2.0, 3.0, 0, 1, 1.0, True, False, 2.5, "2.0"]
LISTS = [("ABN",), ("ABN", "XYZ"), ("2",), (2.0, 3.0), (1, 2), (0,), (1.0,), (True,), (2, "2"), ()]


@pytest.mark.parametrize("op", ["in", "not_in"])
@pytest.mark.parametrize("value", LISTS, ids=repr)
def test_generated_membership_tag_matches_literal_test(op, value):
    tags = tag_function([("g0", ("t", "f", op, value, None))])
    for v in FACT_VALUES:
        values = {} if v is None else {"f": v}
        tags(values, {}, None)
        assert values["g0"] is literal_test(op, v, value), (op, v, value)
