"""The reader's fast value checks agree with their definitions (compiled or pure, whichever is installed)."""
import re
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scrubber.readers.x12 import values

# Digits of other scripts (Arabic-Indic, fullwidth), a superscript (a digit but not decimal), signs, exponents, space.
_ALPHABET = "0123456789.-+eE _\u0663\uff15\u00b2\n"


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=8))
def test_plain_number_check_is_the_regex(text):
    assert values._is_plain_number(text) == (values._NUMBER.match(text) is not None)


def test_amounts_keep_their_written_scale_and_reject_what_is_not_a_plain_number():
    assert repr(values.parse_amount("125.650")) == "Decimal('125.650')"
    assert values.parse_amount("1") == Decimal(1) and values.parse_amount("1") is values.parse_amount("1")
    assert values.parse_amount("-.5") == Decimal("-0.5")
    for bad in ("", "-", ".", "1e5", "NaN", "1,000", "+5", " 5", "5.5.5", "\u00b2"):
        assert values.parse_amount(bad) is None, bad


def test_dates_are_real_calendar_dates():
    assert values.parse_d8("20240229") == date(2024, 2, 29)
    assert values.parse_d8("20230229") is None and values.parse_d8("2023022") is None and values.parse_d8("2023-2-1") is None
