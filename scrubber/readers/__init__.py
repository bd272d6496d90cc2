"""Readers: bytes in, ClaimRecords out. They know nothing of rules or reports.

``iter_records(paths)`` walks files and directories (``-`` is standard input),
sniffs each input (X12 starts with ``ISA`` after an optional BOM and white space;
JSON with ``{`` or ``[``) and yields, in input order, a ``ClaimRecord`` per claim
(readable or not) and a ``RunError`` per problem that belongs to no claim.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Union

from scrubber.model import ClaimRecord, RunError

Record = Union[ClaimRecord, RunError]


def iter_records(paths: Iterable[str]) -> Iterator[Record]:
    raise NotImplementedError("reader not built yet")
