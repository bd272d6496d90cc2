"""Interchanges with other segment terminators in one file, in either order.

A bare line break is a legal segment terminator. Before this test, an interchange terminated by
LF that followed one terminated by ``~`` lost its claims: the reader dropped the line breaks
from its whole buffer while reading the first interchange, so the second one's terminators were
gone before its ISA was read ("ISA declares unusable delimiters (terminator 'G')"). Generated
claims (bench/gen_837.py), made up.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scrubber.model import ClaimRecord
from scrubber.readers.x12 import read_x12

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen_837  # noqa: E402

TILDE = gen_837.generate(20, seed=31, claims_per_transaction=10)
LF = gen_837.generate(15, seed=33, claims_per_transaction=10, segment_terminator="\n")
CRLF = gen_837.generate(12, seed=34, claims_per_transaction=6, segment_terminator="~\r\n")


@pytest.mark.parametrize("name, data", [
    ("LF then ~", LF + TILDE),
    ("~ then LF", TILDE + LF),
    ("~ then CRLF then LF", TILDE + b"\r\n" + LF),
    ("~CRLF then LF then ~", CRLF + LF + TILDE),
])
def test_every_interchange_is_read_whatever_terminator_came_before(name, data):
    expected = data.count(b"CLM*")
    for size in (len(data), 4096, 777):  # one chunk, and chunks that cut segments and ISAs
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        records = list(read_x12(chunks, "made-up.837"))
        claims = [r for r in records if isinstance(r, ClaimRecord)]
        assert len(claims) == expected, (name, size)
        assert all(r.error is None for r in claims), (name, size)
        assert not [r for r in records if not isinstance(r, ClaimRecord)], (name, size)
