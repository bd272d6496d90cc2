"""Readers: bytes in, ClaimRecords out. They know nothing of rules or reports.

``iter_records(paths)`` walks files and directories (``-`` is standard input),
sniffs each input (X12 starts with ``ISA`` after an optional BOM and white space;
JSON with ``{`` or ``[``; gzip by its magic bytes and UTF-16 by its BOM, transparently) and yields, in input
order, a ``ClaimRecord`` per claim (readable or not) and a ``RunError`` per problem that
belongs to no claim.

RunError kinds the readers use: ``unreadable-claim`` (a claim that could not be built;
its ClaimRecord carries the same error), ``unreadable-file`` (missing, unreadable, not
X12 or JSON, bad gzip or JSON syntax), ``structure`` (interchange / group envelope
problems, with the rule id first in the message), ``unsupported`` (an X12 transaction
that is not an 837, skipped).
"""
from __future__ import annotations

import codecs
import gc
import os
import re
import sys
import zlib
from typing import BinaryIO, Iterable, Iterator, Union

from scrubber.readers.gunzip import GunzipStream
from scrubber.model import ClaimRecord, RunError, Source

Record = Union[ClaimRecord, RunError]

CHUNK_BYTES = 1 << 20
_SNIFF_WS = b" \t\r\n\x0b\x0c"
# An X12 segment id (2-3 upper-case letters or digits) followed by an element separator.
_SEGMENT_START = re.compile(rb"[A-Z][A-Z0-9]{1,2}[^A-Za-z0-9\s{\[\"]")


# In a directory walk, files that document or build a batch rather than hold claims
# (a README beside sample claims). A file named on the command line is always read.
NOT_CLAIM_SUFFIXES = (".md", ".rst", ".py")


def input_files(paths: Iterable[str]) -> list[str]:
    """Every file ``iter_records(paths)`` reads, in order: directories recursively, sorted,
    without dotfiles, dot-directories and ``NOT_CLAIM_SUFFIXES``."""
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(root, name) for name in sorted(files)
                           if not name.startswith(".") and not name.lower().endswith(NOT_CLAIM_SUFFIXES))
        else:
            out.append(p)
    return out


def iter_records(paths: Iterable[str]) -> Iterator[Record]:
    for path in input_files(paths):
        yield from _gc_deferred(_read_path(path))


# The reader allocates many small, acyclic objects; CPython's cyclic GC, triggered every 700
# allocations, then rescans the claims a transaction holds until SE - about a fifth of the
# reading time. While the reader itself runs, gen-0 collections are spaced further apart;
# the caller's threshold is put back before every record is handed over, so the caller's
# own code never runs with it.
_READER_GEN0 = 50_000


def _gc_deferred(records: Iterator[Record]) -> Iterator[Record]:
    old = gc.get_threshold()
    raised = (max(old[0], _READER_GEN0), old[1], old[2])
    if old[0] == 0:  # the caller disabled automatic collection: leave it so
        yield from records
        return
    it = iter(records)
    while True:
        gc.set_threshold(*raised)
        try:
            rec = next(it)
        except StopIteration:
            return
        finally:
            gc.set_threshold(*old)
        yield rec


def _read_path(path: str) -> Iterator[Record]:
    if path == "-":
        yield from _read_stream(sys.stdin.buffer, "-")
        return
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield RunError("unreadable-file", f"cannot open the file: {exc.strerror or exc}", path, None)
        return
    with f:
        yield from _read_stream(f, path)


def read_stream(f: BinaryIO, path: str, first_segment: int = 0) -> Iterator[Record]:
    """Records of one input stream (a file, standard input, or a gzip file of either).
    ``first_segment``: X12 segments before this stream in its file (a Dask partition).

    Reads with the GC's young collections spaced out, as ``iter_records`` does (``_gc_deferred``):
    a caller that reads a stream directly (bench_scale's read stage, the Dask partitions, tests)
    measured 1.8x slower without it in a process holding a run's rule packs and reference data
    (20,000 generated claims: 2.1 s -> 1.2 s CPU). A caller that wraps it in ``_gc_deferred``
    itself gets the same, the inner wrapper restoring the outer's setting."""
    return _gc_deferred(_read_stream(f, path, first_segment))


def _read_stream(f: BinaryIO, path: str, first_segment: int = 0) -> Iterator[Record]:
    """``read_stream`` without its GC setting (``iter_records`` sets it once for every file)."""
    try:
        head = f.read(CHUNK_BYTES)
    except OSError as exc:
        yield RunError("unreadable-file", f"cannot read the file: {exc}", path, None)
        return
    gz = None
    if head[:2] == b"\x1f\x8b":
        gz = GunzipStream(_Prepend(head, f))
        try:
            head = gz.read(CHUNK_BYTES)
        except (OSError, EOFError) as exc:
            yield RunError("unreadable-file", f"not a readable gzip file: {exc}", path, None)
            return
        if not head and gz.problem:
            yield RunError("unreadable-file", f"not a readable gzip file: {gz.problem}", path, None)
            return
        f = gz
    # UTF-16 with a BOM (PowerShell `>` writes it); not two stray bytes before 8-bit text (a NUL in
    # the first code units of UTF-16 text, none in "ISA*": fuzz case 6731 lost its claim to that)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in head[2:8]:
        f = _Utf16AsUtf8(head, f)
        head = f.read(CHUNK_BYTES)
    yield from _dispatch(head, f, path, first_segment)
    if gz is not None and gz.problem:  # after every claim of the part that decompressed
        yield RunError("unreadable-file", gz.problem, path, None)


def _dispatch(head: bytes, f: BinaryIO, path: str, first_segment: int = 0) -> Iterator[Record]:
    start = head.lstrip(_SNIFF_WS)
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:].lstrip(_SNIFF_WS)
    if start[:1] in (b"{", b"["):
        from scrubber.readers.json_claims import read_json

        try:
            data = head + f.read()
        except (OSError, EOFError, zlib.error) as exc:
            yield RunError("unreadable-file", f"cannot read the file: {exc}", path, None)
            return
        yield from _guarded(read_json(data, path), path)
        return
    envelope = _x12_start(start)
    if envelope >= 0 or _SEGMENT_START.match(start):
        from scrubber.readers.x12 import read_x12

        if envelope > 0:
            skipped = envelope
            lost, start = start[:skipped], start[skipped:]
            yield RunError("structure", f"X12-ISA: {skipped} bytes before the first envelope segment were skipped", path, None)
            yield from _skipped_claims(lost, path)
        read_errors: list[str] = []
        yield from _guarded(read_x12(_chunks(start, f, read_errors), path, first_segment=first_segment), path)
        for message in read_errors:
            yield RunError("unreadable-file", f"reading stopped early: {message}", path, None)
        return
    if not start:
        yield RunError("unreadable-file", "the file is empty", path, None)
        return
    if start[:3] == b"isa" and start[3:4] and not start[3:4].isalnum():
        yield RunError("unreadable-file", "the file starts with 'isa' in lower case: X12 segment ids are upper case "
                       "(ISA, GS, ST ...); not read", path, 1)
        return
    yield RunError("unreadable-file", "not an X12 837 or JSON claim file (an X12 file starts with ISA, a JSON file with { or [)", path, None)


# Not inside a value: "MAIN ST~" is a street, not an ST segment (fuzz case 6572 skipped its claims' header).
_ENVELOPE_SEGMENT = re.compile(rb"(?<![A-Za-z0-9 ])(ISA|GS|ST)[^A-Za-z0-9\s]")


_CLM_START = re.compile(rb"(?:^|[^A-Za-z0-9])CLM([^A-Za-z0-9\s])")


def _skipped_claims(skipped: bytes, path: str) -> Iterator[Record]:
    """An unreadable claim for every CLM segment in bytes skipped before the first envelope: a
    segment moved above the ISA must not make its claim vanish from the output."""
    for m in _CLM_START.finditer(skipped):
        rest = skipped[m.end():].split(m.group(1), 1)[0]
        claim_id = rest[:38].decode("latin-1", "replace").strip() or f"<CLM at byte {m.start(1) - 3}>"
        message = f"CLM at byte {m.start(1) - 3} comes before the first ISA, GS or ST segment; the claim was not read"
        yield ClaimRecord(claim_id, Source(path, None), error=RunError("unreadable-claim", message, path, None))


def _guarded(records: Iterator[Record], path: str) -> Iterator[Record]:
    """The last safety net: a reader bug ends this file with a RunError, never a traceback."""
    count = 0
    try:
        for rec in records:
            count += 1
            yield rec
    except Exception as exc:  # noqa: BLE001 - reported, with what was read so far
        yield RunError("unreadable-file", f"internal reader error after {count} records ({type(exc).__name__}: {exc}); "
                       "the rest of the file was not read - please report this", path, None)


def _x12_start(start: bytes) -> int:
    """Where X12 begins after leading garbage: the first ISA, GS or ST segment in the first 4 KB, or -1."""
    m = _ENVELOPE_SEGMENT.search(start, 0, 4096)
    return m.start() if m else -1


def _chunks(start: bytes, f: BinaryIO, errors: list[str]) -> Iterator[bytes]:
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:]
    yield start
    while True:
        try:
            block = f.read(CHUNK_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            errors.append(str(exc) or type(exc).__name__)
            return
        if not block:
            return
        yield block


class _Utf16AsUtf8:
    """A UTF-16 stream (BOM first) read as UTF-8 bytes, chunk by chunk, so the readers and
    their segment numbers see the same text a UTF-8 copy of the file would give."""

    def __init__(self, head: bytes, f: BinaryIO):
        self._src = _Prepend(head, f)
        self._decoder = codecs.getincrementaldecoder("utf-16")("replace")
        self._done = False

    def read(self, n: int = -1) -> bytes:
        while not self._done:
            block = self._src.read(n if n is not None and n > 0 else -1)
            text = self._decoder.decode(block, final=not block)
            self._done = not block
            if text:
                return text.encode("utf-8")
        return b""

    def readable(self) -> bool:
        return True


class _Prepend:
    """A read-only file object that returns ``head`` and then the rest of ``f``."""

    def __init__(self, head: bytes, f: BinaryIO):
        self._head, self._f = head, f

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                out, self._head = self._head + self._f.read(), b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._f.read(n)

    def readable(self) -> bool:
        return True
