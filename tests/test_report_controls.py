"""Every C0 control character (and DEL) from claim data is replaced in CSV, text and JUnit output.

A claim value is hostile input: an ESC rewrites a terminal, a CR or LF splits a CSV row, a NUL
cuts a log line. The strings below are MADE-UP; each carries one control character.
"""
from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from lxml import etree

from scrubber.report import render
from tests.report_fixtures import mixed_result

C0 = [chr(i) for i in range(0x20)] + ["\x7f"]


def _hostile(ch: str):
    result = mixed_result()
    c = result.claims[0]
    f = dataclasses.replace(c.findings[0], message=f"MADE-UP message {ch} end", suggestion=f"fix{ch}it",
                            location_path=f"2300{ch}/CLM02", codes=(f"CO{ch}DE",))
    result.claims[0] = dataclasses.replace(c, claim_id=f"MADE-UP-{ch}-1", payer=f"PAYER{ch}X", source_path=f"in{ch}.837",
                                           findings=(f,) + c.findings[1:], patient_name=f"NA{ch}ME")
    result.errors.append(dataclasses.replace(result.errors[0], message=f"run error {ch} text", path=f"p{ch}q")
                         if result.errors else result.errors)
    return result


def _out(result, fmt: str) -> str:
    out = io.StringIO()
    render(result, fmt, out, **({"color": False} if fmt == "text" else {}))
    return out.getvalue()


@pytest.mark.parametrize("ch", C0, ids=[f"0x{ord(c):02x}" for c in C0])
def test_csv_cells_hold_no_control_character(ch):
    """Tab may stay (harmless inside a comma-separated cell); every other one is replaced."""
    text = _out(_hostile(ch), "csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    n_rows = len(text.split("\r\n")) - 1
    assert len(rows) == n_rows  # no cell spans a line: one record per physical line
    cells = [cell for row in rows for cell in row]
    if ch == "\t":
        assert "MADE-UP-\t-1" in cells
        return
    assert not any(ch in cell for cell in cells), repr(ch)
    assert "MADE-UP-\ufffd-1" in cells


@pytest.mark.parametrize("ch", C0, ids=[f"0x{ord(c):02x}" for c in C0])
def test_text_output_holds_no_control_character_but_its_own_newlines(ch):
    text = _out(_hostile(ch), "text")
    assert "MADE-UP-\ufffd-1" in text
    if ch != "\n":
        assert ch not in text, repr(ch)


@pytest.mark.parametrize("ch", C0, ids=[f"0x{ord(c):02x}" for c in C0])
def test_junit_values_hold_no_control_character(ch):
    xml = _out(_hostile(ch), "junit")
    root = etree.fromstring(xml.encode())
    values = [v for el in root.iter() for v in el.attrib.values()]
    texts = [el.text for el in root.iter() if el.text]
    assert not any(ch in v for v in values), repr(ch)
    for t in texts:  # the report's own layout joins findings with LF and indents with spaces
        assert not any(ch in line for line in t.split("\n")) or ch == "\n", repr(ch)
    assert 'name="MADE-UP-\ufffd-1"' in xml
    assert "MADE-UP message \ufffd end" in xml
