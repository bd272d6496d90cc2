"""A run's claim results, kept in memory up to a limit and spilled to a temporary file beyond it.

A scrub or audit keeps one ClaimResult per claim until its outputs are written (JSON, text,
CSV, HTML, JUnit, the ledger). On a large batch that list is what grows: about 5 KB per claim,
so millions of claims would not fit in memory. ``ClaimSpool`` is the list the pipeline fills:
the first ``memory_limit`` results stay in memory (a batch of that size behaves exactly as a
list); past it, results are pickled in blocks to an anonymous temporary file and read back,
in order, each time the spool is iterated. Writers only iterate (and take ``len``), so they run
unchanged and in bounded memory.

The temporary file holds what the results hold (claim ids, patient names, member ids: PHI). It
is created with ``tempfile.TemporaryFile`` (no name in the file system on POSIX, removed when
closed or when the process ends) in the directory ``tempfile`` chooses (``TMPDIR``); nothing
else ever writes claim content to disk unless an output asks for it.
"""
from __future__ import annotations

import pickle
import tempfile
from typing import IO, Iterable, Iterator, Optional

MEMORY_LIMIT = 0  # results kept in memory beyond the current block (0: spill from the first claim, memory stays flat)
BLOCK = 1_000  # results per pickled block


class ClaimSpool:
    """An append-only sequence of ClaimResults that spills to disk past ``memory_limit``."""

    def __init__(self, items: Iterable = (), memory_limit: Optional[int] = None):
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._file: Optional[IO[bytes]] = None
        self._spilled = 0  # results in the file
        self._tail: list = []  # results after the spilled ones, in memory
        self.extend(items)

    def append(self, item) -> None:
        self._tail.append(item)
        if len(self._tail) >= BLOCK and self._spilled + len(self._tail) > self.memory_limit:
            self._spill()

    def extend(self, items: Iterable) -> None:
        for item in items:
            self.append(item)

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="claimscrub-results-")
        self._file.seek(0, 2)
        for a in range(0, len(self._tail), BLOCK):
            block = self._tail[a:a + BLOCK]
            pickle.dump(block, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._spilled += len(block)
        self._tail = []

    @property
    def spilled(self) -> int:
        """How many results are on disk (0: the spool is a plain in-memory list)."""
        return self._spilled

    def __len__(self) -> int:
        return self._spilled + len(self._tail)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator:
        if self._file is not None:
            f = self._file
            f.flush()
            pos, read = 0, 0
            while read < self._spilled:
                f.seek(pos)
                block = pickle.load(f)
                pos = f.tell()
                read += len(block)
                yield from block
        yield from list(self._tail)

    def __getitem__(self, index):
        """Random access, for callers that index a list; reads from disk when the item was spilled."""
        if isinstance(index, slice):
            return list(self)[index]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("ClaimSpool index out of range")
        if index >= self._spilled:
            return self._tail[index - self._spilled]
        for k, item in enumerate(self):
            if k == index:
                return item
        raise IndexError(index)  # pragma: no cover - unreachable

    def __eq__(self, other) -> bool:
        try:
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        except TypeError:
            return NotImplemented

    def __repr__(self) -> str:
        return f"ClaimSpool({len(self)} results, {self._spilled} on disk)"
