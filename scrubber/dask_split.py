"""Dask partitions: a large X12 file cut at its interchange boundaries, each part numbered from its offset.

Why a scan and not a fixed ``~`` split: each interchange declares its own delimiters in its ISA
(the element separator is ISA byte 3, the segment terminator is the byte after ISA16), so one file
may hold interchanges with different terminators, and a file may start with a byte-order mark.
A cut is made only where the scan is sure: right after an IEA segment (its terminator) when the
next non-blank bytes are another ISA. Anything it cannot read (no ISA at the start, an interchange
without IEA, delimiters that are not plain ASCII punctuation) ends the cutting there: the rest of
the file is one partition, read as a single run would read it.

Segment numbers: a partition's reader starts counting at the number of segments before it
(``first_segment``), counted as the X12 tokenizer counts them (one per terminator, line breaks
ignored, blank segments skipped), so findings and run errors carry the whole file's numbers.
A ``.gz`` file, JSON claims and standard input are one partition each.
"""
from __future__ import annotations

import mmap
import os
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Optional

PARTITION_BYTES = 64 << 20  # aim: partitions of about this size (whole interchanges)
_BLANK = b" \t\r\n\x0b\x0c"  # the tokenizer's blanks, around and between segments


@dataclass(frozen=True)
class Partition:
    """Bytes [start, end) of ``path`` (end None: to the end of the file), whose first segment is
    segment ``first_segment + 1`` of the whole file."""

    path: str
    start: int = 0
    end: Optional[int] = None
    first_segment: int = 0


def partitions(paths: list[str], target: int = PARTITION_BYTES) -> list[Partition]:
    """Every input file as partitions, in input order (see the module docstring)."""
    out: list[Partition] = []
    for path in paths:
        out.extend(split_file(path, target))
    return out


def split_file(path: str, target: int = PARTITION_BYTES) -> list[Partition]:
    """``path`` cut at interchange boundaries into parts of about ``target`` bytes (one part when
    it is small, compressed, not X12, or not cut where the scan is sure)."""
    whole = [Partition(path)]
    try:
        size = os.path.getsize(path)
        if path == "-" or size <= target:
            return whole
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            cuts = list(_interchange_cuts(m, target))
    except (OSError, ValueError):
        return whole
    parts, start, first = [], 0, 0
    for end, segments_before in cuts:
        parts.append(Partition(path, start, end, first))
        start, first = end, segments_before
    parts.append(Partition(path, start, None, first))
    return parts


def _interchange_cuts(m, target: int) -> Iterator[tuple[int, int]]:
    """(byte offset of a cut, segments before it): cuts at ISA starts, about ``target`` bytes apart."""
    pos = 3 if m[:3] == b"\xef\xbb\xbf" else 0
    while pos < len(m) and m[pos] in _BLANK:
        pos += 1
    segments, last_cut = 0, 0
    while True:
        if m[pos:pos + 3] != b"ISA":
            return
        found = _interchange_end(m, pos)
        if found is None:
            return
        end, count = found
        segments += count
        nxt = end
        while nxt < len(m) and m[nxt] in _BLANK:
            nxt += 1
        if nxt >= len(m):
            return  # the last interchange: the rest of the file is the last partition
        if m[nxt:nxt + 3] != b"ISA":
            return
        if nxt - last_cut >= target:
            yield nxt, segments
            last_cut = nxt
        pos = nxt


def _interchange_end(m, pos: int) -> Optional[tuple[int, int]]:
    """(offset just past the IEA segment's terminator, segments from ``pos`` to there) of the
    interchange whose ISA starts at ``pos``; None when its delimiters or its IEA cannot be read."""
    el = m[pos + 3:pos + 4]
    if len(el) != 1 or not _plain(el):
        return None
    i = pos + 3
    for _ in range(15):  # ISA16 follows the 16th element separator
        i = m.find(el, i + 1, pos + 200)
        if i < 0:
            return None
    term = m[i + 2:i + 3]
    if len(term) != 1 or term == el or not (_plain(term) or term in b"\r\n"):
        return None
    iea = re.compile(re.escape(term) + rb"[ \t\r\n\x0b\x0c]*IEA" + re.escape(el))
    hit = iea.search(m, pos)
    if hit is None:
        return None
    stop = m.find(term, hit.end())
    if stop < 0:
        return None
    end = stop + 1
    return end, _count_segments(m, pos, end, term)


def _count_segments(m, start: int, end: int, term: bytes) -> int:
    """Segments in [start, end) ending in ``term``, as the tokenizer counts them: a piece between
    terminators that holds only blanks (line breaks, spaces) is not a segment."""
    blanks = bytes(b for b in _BLANK if bytes([b]) != term)
    empty = re.compile(re.escape(term) + b"[" + re.escape(blanks) + b"]*(?=" + re.escape(term) + b")")
    piece = m[start:end]  # one interchange's bytes (mmap has no count)
    return piece.count(term) - sum(1 for _ in empty.finditer(piece))


def _plain(b: bytes) -> bool:
    """A delimiter the scan trusts: printable ASCII punctuation (not a letter, digit or blank)."""
    c = b[0]
    return 0x21 <= c <= 0x7e and not bytes([c]).isalnum()


class RangeReader:
    """A read-only view of bytes [start, end) of an open file, for ``read_stream``."""

    def __init__(self, f: BinaryIO, start: int, end: Optional[int]):
        self._f = f
        f.seek(start)
        self._left = None if end is None else end - start

    def read(self, n: int = -1) -> bytes:
        if self._left is None:
            return self._f.read(n)
        if n is None or n < 0 or n > self._left:
            n = self._left
        data = self._f.read(n)
        self._left -= len(data)
        return data

    def readable(self) -> bool:
        return True


def read_partition(part: Partition) -> Iterator:
    """The records of one partition, numbered as in the whole file (``first_segment``)."""
    from scrubber.model import RunError
    from scrubber.readers import iter_records, read_stream

    if part.start == 0 and part.end is None:
        yield from iter_records([part.path])
        return
    try:
        f = open(part.path, "rb")
    except OSError as exc:
        yield RunError("unreadable-file", f"cannot open the file: {exc.strerror or exc}", part.path, None)
        return
    with f:
        # read_stream spaces the GC's young collections itself (readers._gc_deferred)
        yield from read_stream(RangeReader(f, part.start, part.end), part.path, part.first_segment)
