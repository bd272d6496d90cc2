"""A gzip stream that gives back every byte that decompresses, and says where the data broke.

``gzip.GzipFile.read`` raises EOFError on a truncated file and drops what that call had
already decompressed, so a ``.gz`` cut short lost even its readable claims. ``GunzipStream``
decompresses with zlib chunk by chunk (several members in a row, as ``cat a.gz b.gz`` makes),
returns what it could, and records the problem (``problem``: truncated or corrupt, with the
byte offset in the compressed file) for the caller to report after the readable part. Output
is bounded per call (``max_length``), so a small file that inflates hugely is streamed, not
held whole.
"""
from __future__ import annotations

import zlib
from typing import BinaryIO, Optional

_IN = 1 << 16


class GunzipStream:
    def __init__(self, f: BinaryIO):
        self._f = f
        self._d = zlib.decompressobj(31)
        self._pending = b""  # compressed bytes read but not yet fed
        self._buf = bytearray()
        self._in_member = 0  # compressed bytes fed to the open member
        self.offset = 0  # compressed bytes consumed so far (the byte offset of the next one)
        self.out_bytes = 0
        self.problem: Optional[str] = None
        self._done = False

    def _fill(self, want: int) -> None:
        data = self._pending or self._f.read(_IN)
        self._pending = b""
        if not data:
            if self._in_member and not self._d.eof:
                self.problem = (f"the gzip data is truncated: it ends at byte {self.offset} before the end of its "
                                f"compressed stream; the {self.out_bytes:,} bytes that decompressed were read")
            self._done = True
            return
        try:
            out = self._d.decompress(data, max(want, _IN))
        except zlib.error as exc:
            self.problem = (f"the gzip data is corrupt near byte {self.offset} ({exc}); the {self.out_bytes:,} bytes "
                            f"before it were read")
            self._done = True
            return
        rest = self._d.unconsumed_tail or self._d.unused_data
        used = len(data) - len(rest)
        self.offset += used
        self._in_member += used
        self._buf += out
        self.out_bytes += len(out)
        if self._d.unconsumed_tail:
            self._pending = self._d.unconsumed_tail
        elif self._d.eof:
            tail = self._d.unused_data
            if tail.lstrip(b"\0")[:2] == b"\x1f\x8b":
                skipped = len(tail) - len(tail.lstrip(b"\0"))
                self.offset += skipped
                self._pending = tail[skipped:]
                self._d = zlib.decompressobj(31)
                self._in_member = 0
            elif tail.strip(b"\0"):  # bytes after the last member that are not another member: ignored, said
                self.problem = f"{len(tail)} bytes after the end of the gzip data at byte {self.offset} were ignored"
                self._done = True
            else:  # zero padding (tape blocks) or nothing: read on, to the end of the file
                self.offset += len(tail)

    def read(self, n: int = -1) -> bytes:
        while not self._done and (n is None or n < 0 or len(self._buf) < n):
            self._fill(_IN if n is None or n < 0 else n - len(self._buf))
        if n is None or n < 0:
            out, self._buf = bytes(self._buf), bytearray()
        else:
            out = bytes(self._buf[:n])
            del self._buf[:n]
        return out

    def readable(self) -> bool:
        return True
