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

Two things spare a ``--jobs N`` parent (``scrubber.jobs``) the results' CPU: ``append_block``
takes a block a worker pickled as it is (written to the file unopened, with the block's summary
``totals`` and, when the run asked for it, its claims' JSON text beside it); and ``keep_json``
makes the spool keep each result's JSON text (rendered where the claim was evaluated) in a second
anonymous temporary file, so the JSON report copies text instead of unpickling and encoding every
result after the run. A spool whose JSON text does not cover every result says so
(``json_chunks`` gives None) and the report renders the results as before.
"""
from __future__ import annotations

import codecs
import pickle
import tempfile
from typing import IO, Callable, Iterable, Iterator, Optional

MEMORY_LIMIT = 0  # results kept in memory beyond the current block (0: spill from the first claim, memory stays flat)
BLOCK = 1_000  # results per pickled block


class ClaimSpool:
    """An append-only sequence of ClaimResults that spills to disk past ``memory_limit``."""

    def __init__(self, items: Iterable = (), memory_limit: Optional[int] = None):
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._file: Optional[IO[bytes]] = None
        self._spilled = 0  # results in the file
        self._tail: list = []  # results after the spilled ones, in memory
        self.totals = None  # the summary's ClaimTotals, kept as results arrive (RunResult sets it)
        self.json_of: Optional[Callable] = None  # result -> its JSON text (``keep_json``)
        self._json: Optional[IO[bytes]] = None
        self._json_count = 0  # results whose text is in self._json
        self.extend(items)

    def keep_json(self, json_of: Callable) -> None:
        """Keep ``json_of(result)`` of every result from now on (an empty spool only)."""
        if len(self):
            raise ValueError("keep_json on a spool that already holds results")
        self.json_of = json_of
        self._json = tempfile.TemporaryFile(prefix="claimscrub-json-")

    def append(self, item) -> None:
        self._tail.append(item)
        if self.totals is not None:
            self.totals.add(item)
        if self._json is not None:
            self._write_json(self.json_of(item), 1)
        if len(self._tail) >= BLOCK and self._spilled + len(self._tail) > self.memory_limit:
            self._spill()

    def append_block(self, blob: bytes, count: int, totals=None, json_text=None) -> None:
        """``count`` results pickled as one list (``pickle.dumps(results, HIGHEST_PROTOCOL)``),
        spooled without unpickling when the spool spills; ``totals`` their ClaimTotals and
        ``json_text`` their ``json_of`` texts joined (str, or bytes in UTF-8), both made where
        the results were."""
        if self.totals is not None:
            if totals is None:
                self.totals = None  # no longer complete: RunResult.summary counts the results
            else:
                self.totals.merge(totals)
        if self._json is not None:
            if json_text is None:
                self._drop_json()
            else:
                self._write_json(json_text, count)
        if self._spilled + len(self._tail) + count <= self.memory_limit:
            self._tail.extend(pickle.loads(blob))  # still within the in-memory limit
            return
        if self._tail:
            self._spill()
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="claimscrub-results-")
        self._file.seek(0, 2)
        self._file.write(blob)
        self._spilled += count

    def _write_json(self, text, count: int) -> None:
        self._json.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        self._json_count += count

    def _drop_json(self) -> None:
        self._json.close()
        self._json, self.json_of = None, None

    def json_chunks(self, json_of: Callable, size: int = 1 << 20) -> Optional[Iterator[str]]:
        """Every result's ``json_of`` text, in order, in pieces of about ``size`` characters; None
        unless the spool kept exactly that function's text of every result it holds."""
        if self._json is None or self.json_of is not json_of or self._json_count != len(self):
            return None
        return self._read_json(size)

    def _read_json(self, size: int) -> Iterator[str]:
        f = self._json
        f.flush()
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        while True:
            data = f.read(size)
            if not data:
                break
            yield decoder.decode(data)
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail
        f.seek(0, 2)

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
