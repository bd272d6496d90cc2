"""Compact batch-wide indexes: 64-bit digests in open-addressed ``array`` tables, no object per entry.

Why: a batch-wide index ("this service was billed on an earlier claim of the batch") grows with
every service line of the batch, and every worker of a ``--jobs N`` run holds the whole of it. As a
dict of 16-byte digests to claim ids it cost about 150 bytes per service (a bytes object, a dict
slot, the claim id string kept alive): 1,000,000 claims, about 3,000,000 services, took a worker
past a gigabyte. Here an entry is 8 bytes of digest and 4 bytes of claim number in two flat
``array`` tables (12 bytes a slot, 16-32 bytes an entry at the load factors kept), and the claim
ids a hit must name are kept once per claim in one ``bytearray``.

Layout: 256 shards chosen by the digest's low byte, each an open-addressed table with linear
probing, doubled when three quarters full. Sharding keeps each resize small (1/256 of the index),
so memory never jumps by the size of the whole table and no single insert stalls for seconds.
A sorted-run (LSM) layout would be 12 bytes an entry exactly, but merging sorted ``array`` runs
needs a Python loop per element (or a temporary list of ints, ~40 bytes each); the hash table's
inserts and lookups are a few array reads each.

What a collision costs: two different services whose 64-bit digests are equal would be taken for
the same service, and the later line would be reported a batch duplicate of the earlier claim (a
false ``batch_duplicate_of``; never a missed one). With n services in a batch the chance that any
two collide is about n^2 / 2^65: 3e-7 for a million claims (3,000,000 services), 3e-5 for ten
million. The digest 0 marks an empty slot, so a digest that is 0 is stored as 1 (no further cost).
"""
from __future__ import annotations

from array import array
from typing import Iterator, Optional

_SHARDS = 256
_START = 64  # slots per shard at first (256 x 64 x 12 bytes = 196 KB for an empty index)


class DigestIndex:
    """64-bit digest -> the number of the first claim that added it (``setdefault`` semantics)."""

    __slots__ = ("_keys", "_vals", "_used", "_n")

    def __init__(self) -> None:
        self._keys = [array("Q", bytes(8 * _START)) for _ in range(_SHARDS)]
        self._vals = [array("I", bytes(4 * _START)) for _ in range(_SHARDS)]
        self._used = [0] * _SHARDS
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def get(self, h: int) -> int:
        """The claim number stored for digest ``h``, or -1."""
        h = h or 1
        s = h & 0xFF
        keys = self._keys[s]
        mask = len(keys) - 1
        i = (h >> 8) & mask
        while True:
            k = keys[i]
            if k == h:
                return self._vals[s][i]
            if not k:
                return -1
            i = (i + 1) & mask

    def setdefault(self, h: int, value: int) -> int:
        """Store ``value`` for ``h`` unless ``h`` is there; the value stored (the first one wins)."""
        h = h or 1
        s = h & 0xFF
        keys = self._keys[s]
        mask = len(keys) - 1
        i = (h >> 8) & mask
        while True:
            k = keys[i]
            if k == h:
                return self._vals[s][i]
            if not k:
                break
            i = (i + 1) & mask
        keys[i] = h
        self._vals[s][i] = value
        self._n += 1
        used = self._used[s] = self._used[s] + 1
        if used * 4 > len(keys) * 3:
            self._grow(s)
        return value

    def _grow(self, s: int) -> None:
        old_k, old_v = self._keys[s], self._vals[s]
        size = len(old_k) * 2
        keys, vals = array("Q", bytes(8 * size)), array("I", bytes(4 * size))
        mask = size - 1
        for j, h in enumerate(old_k):
            if h:
                i = (h >> 8) & mask
                while keys[i]:
                    i = (i + 1) & mask
                keys[i] = h
                vals[i] = old_v[j]
        self._keys[s], self._vals[s] = keys, vals

    def items(self) -> Iterator[tuple[int, int]]:
        """(digest, value) of every entry, in no particular order."""
        for keys, vals in zip(self._keys, self._vals):
            for j, h in enumerate(keys):
                if h:
                    yield h, vals[j]

    def nbytes(self) -> int:
        """Bytes held by the tables (for benchmarks and tests)."""
        return sum(k.itemsize * len(k) + v.itemsize * len(v) for k, v in zip(self._keys, self._vals))


class IdStore:
    """An append-only list of optional strings (claim ids) packed in one ``bytearray``.

    About len(id) + 5 bytes an entry instead of a str object (~50 bytes) and a list slot: the ends
    are 4-byte offsets, widened to 8 bytes once the text passes 4 GiB (~200 million claim ids). None
    is kept apart from "" (an absent claim id answers "no earlier claim" exactly as before)."""

    __slots__ = ("_blob", "_ends")
    WIDEN_AT = 1 << 32  # the first offset a 4-byte end cannot hold

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("I")

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, text: Optional[str]) -> int:
        """Store ``text``; its number."""
        if text is not None:
            self._blob += b"\x01"
            self._blob += text.encode("utf-8", "surrogatepass")
        if len(self._blob) >= self.WIDEN_AT and self._ends.typecode == "I":
            self._ends = array("Q", self._ends)
        self._ends.append(len(self._blob))
        return len(self._ends) - 1

    def __getitem__(self, n: int) -> Optional[str]:
        start = self._ends[n - 1] if n else 0
        end = self._ends[n]
        if end == start:
            return None
        return self._blob[start + 1:end].decode("utf-8", "surrogatepass")

    def nbytes(self) -> int:
        return len(self._blob) + self._ends.itemsize * len(self._ends)
