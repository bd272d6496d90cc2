"""What the HTML report reads of a run's results, gathered once, where the results are made.

The report shows the run's totals (by rule, category, payer, provider; charges at risk), a claim
table of at most MAX_TABLE_ROWS claims (those needing attention first, in input order) and the
findings by rule (FINDINGS_PER_RULE a rule, FINDINGS_ROWS in all, in input order). Computed
after the run, that was three passes over results that, on a large batch, are on disk
(``ClaimSpool``): the parent unpickled every result three times while the workers sat idle
(about 2.5 s of CPU per 200,000 claims, serial, at the end of the run).

``HtmlDigest`` gathers all three as results arrive: the parent ``add``s a result it holds (a
``--jobs 1`` run, the old result path, a dead worker's claims) or ``merge``s a chunk's part that
a worker made beside its pickled block (``HtmlPicker.part``); parts are merged in chunk order,
so the digest is the one a single pass over the results gives. A worker's parts stay small: a
claim can be listed only while fewer than MAX_TABLE_ROWS claims before it are as urgent, and a
finding only while fewer than FINDINGS_PER_RULE of its rule come before it, so a worker that has
itself sent that many (all earlier than its next chunk) sends no more of them.
"""
from __future__ import annotations

import heapq
from collections import Counter
from typing import Iterable

from scrubber.report.totals import Totals, TotalsBuilder

MAX_TABLE_ROWS = 1000  # claims beyond this are counted, not listed (page size and memory stay bounded)
FINDINGS_PER_RULE = 50
FINDINGS_ROWS = 2000
_PRIORITIES = 3


def table_priority(c) -> int:
    """Which claims the table lists first: flagged and unreadable, then clean with findings, then clean."""
    return 0 if c.status != "clean" else (1 if c.findings else 2)


class HtmlDigest:
    """The report's totals, claim-table candidates and finding rows of the results given so far."""

    def __init__(self) -> None:
        self.count = 0  # results given so far (each one's index in the run is its position)
        self.builder = TotalsBuilder()
        self._table: list = []  # a heap of (-priority, -index, result): the MAX_TABLE_ROWS most urgent
        self._rows: dict[str, list] = {}  # rule id -> its first FINDINGS_PER_RULE (index, n, claim id, finding)

    @classmethod
    def of(cls, claims: Iterable) -> "HtmlDigest":
        digest = cls()
        for c in claims:
            digest.add(c)
        return digest

    def add(self, c) -> None:
        self.builder.add(c)
        self._offer(table_priority(c), self.count, c)
        for n, f in enumerate(c.findings):
            self._offer_row(self.count, n, c.claim_id, f)
        self.count += 1

    def merge(self, part: tuple) -> None:
        """A worker's ``HtmlPicker.part`` of the next chunk (positions in the part are the chunk's)."""
        count, builder, table, rows = part
        self.builder.merge(builder)
        for priority, j, c in table:
            self._offer(priority, self.count + j, c)
        for j, n, claim_id, f in rows:
            self._offer_row(self.count + j, n, claim_id, f)
        self.count += count

    def _offer(self, priority: int, index: int, c) -> None:
        row = (-priority, -index, c)
        if len(self._table) < MAX_TABLE_ROWS:
            heapq.heappush(self._table, row)
        elif row[:2] > self._table[0][:2]:
            heapq.heapreplace(self._table, row)

    def _offer_row(self, index: int, n: int, claim_id, f) -> None:
        rows = self._rows.setdefault(f.rule_id, [])
        if len(rows) < FINDINGS_PER_RULE:
            rows.append((index, n, claim_id, f))

    def totals(self) -> Totals:
        return self.builder.totals()

    def listed(self) -> tuple[list, int]:
        """(index, result) of the claims the table lists, in input order, and how many it leaves out."""
        listed = sorted(((-i, c) for _, i, c in self._table), key=lambda row: row[0])
        return listed, self.count - len(listed)

    def findings(self, wanted: int) -> dict[str, list]:
        """rule id -> (claim id, finding) rows: up to FINDINGS_PER_RULE a rule, ``wanted`` in all, in input order."""
        kept: dict[str, list] = {}
        total = 0
        for _, _, claim_id, f in sorted((row for rows in self._rows.values() for row in rows), key=lambda r: r[:2]):
            if total >= wanted:
                break
            kept.setdefault(f.rule_id, []).append((claim_id, f))
            total += 1
        return kept


class HtmlPicker:
    """A worker's side of the digest: what of each of its chunks the parent's ``HtmlDigest`` needs."""

    def __init__(self) -> None:
        self._sent = [0] * _PRIORITIES  # claims sent with a priority at least as urgent as each level
        self._sent_rule: Counter = Counter()

    def part(self, results: list) -> tuple:
        builder = TotalsBuilder()
        table, rows = [], []
        for j, c in enumerate(results):
            builder.add(c)
            priority = table_priority(c)
            if self._sent[priority] < MAX_TABLE_ROWS:
                table.append((priority, j, c))
                for level in range(priority, _PRIORITIES):
                    self._sent[level] += 1
            for n, f in enumerate(c.findings):
                if self._sent_rule[f.rule_id] < FINDINGS_PER_RULE:
                    rows.append((j, n, c.claim_id, f))
                    self._sent_rule[f.rule_id] += 1
        return len(results), builder, table, rows
