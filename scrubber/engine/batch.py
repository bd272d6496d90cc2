"""One batch state per run: everything derivations keep across the claims of a batch, in one object.

Why one object: a run's batch-wide knowledge (services already billed, frequency-limit counts, the
value sets its profiles name) used to live in five places, some of them process globals that
outlived the run. The engine now owns a ``BatchState`` per run and hands it to every derivation
as ``DeriveInput.batch``; nothing a run learns survives in a module global.

The contract, which is what lets a batch be split across worker processes deterministically:

* derivations only *read* batch-wide slots (``state.slot(name)``) while a claim's facts are built
  (a slot may remember the claim it answered for, e.g. the frequency tracker counts a claim once);
* after each claim the engine calls ``state.commit(claim, context)``: every slot adds what the claim
  contributes, so claim N sees claims 0..N-1 only. A worker that does not evaluate a claim (another
  worker's chunk) still commits it, which is cheap (digests and counts, no facts, no rules);
* a slot whose contribution the parent process needs (the services counted under frequency
  limits, which the ledger records) hands it over per chunk with ``take_delta`` / ``merge_delta``,
  merged in chunk order.

Slot classes are registered by the field modules with ``scrubber.fields.registry.batch_slot``
(a registry of classes, not of state); each run creates its own instances.
"""
from __future__ import annotations

import itertools
from typing import Any, Mapping, Optional

from scrubber.fields.registry import BATCH_SLOTS, ensure_loaded


class BatchState:
    """The batch-wide state of one run (see the module docstring for the contract)."""

    def __init__(self, valuesets: Optional[Mapping] = None, used_fields: Optional[set] = None) -> None:
        # The run's loaded value sets (standard and --rules directories), for profile parameters that
        # name one; a set loaded later from the standard directory is kept here, for this run only.
        self.valuesets: dict = dict(valuesets or {})
        # Per-claim scratch for derivations that several fields of one claim share (payer facts, the
        # line's MUE, service signatures): emptied when the next claim begins.
        self.claim_memo: dict = {}
        self._memo_claim: Any = None
        self._cids = itertools.count(1)
        self.recording = False  # slots keep what ``export`` needs (only a partition pre-pass sets it)
        ensure_loaded()  # the field modules register their slot classes on import
        self._slots: dict[str, Any] = {name: cls(self) for name, cls in sorted(BATCH_SLOTS.items())}
        # A slot that names the fields reading it (``FIELDS``) is filled only when the run's rules read
        # one of them: a batch-wide index nobody reads costs memory per claim for nothing.
        self._active = [s for s in self._slots.values()
                        if used_fields is None or not getattr(s, "FIELDS", ()) or set(s.FIELDS) & used_fields]

    def valueset(self, name: str):
        """The value set ``name``: the run's loaded one, else the standard ``rules/valuesets/<name>.yaml``
        (a claim built outside a run), kept for this batch only. LookupError when neither has it."""
        vs = self.valuesets.get(name)
        if vs is None:
            from scrubber.rulespec.packs import _load_valueset, default_rule_dirs

            problems: list = []
            for root in default_rule_dirs():
                path = root / "valuesets" / f"{name}.yaml"
                if path.is_file():
                    vs = _load_valueset(path, problems)
                    break
            if vs is None or problems:
                raise LookupError(f"value set '{name}' named by the payer profile is not in rules/valuesets "
                                  + "; ".join(problems))
            self.valuesets[name] = vs
        return vs

    def next_cid(self) -> int:
        """The claim's number in this batch (facts join on it)."""
        return next(self._cids)

    def begin(self, claim) -> None:
        """A claim's facts are about to be built: its derivations start from an empty scratch."""
        if self._memo_claim is not claim:
            self.claim_memo = {}
            self._memo_claim = claim

    def memo_of(self, claim, key: str) -> Optional[dict]:
        """The entry ``key`` of the claim's scratch when ``claim`` is the one whose facts were just
        built (its commit reuses what its fields computed), else None (another worker's claim)."""
        return self.claim_memo.get(key) if self._memo_claim is claim else None

    def slot(self, name: str):
        """The run's instance of the registered slot ``name``."""
        return self._slots[name]

    def commit(self, claim, context) -> None:
        """Add ``claim`` (evaluated here or by another worker) to every batch-wide slot."""
        for s in self._active:
            s.commit(claim, context)
        self.claim_memo = {}
        self._memo_claim = None

    def take_delta(self) -> dict:
        """What the claims committed since the last call contribute to the parent's state."""
        out = {}
        for name, s in self._slots.items():
            take = getattr(s, "take_delta", None)
            d = take() if take is not None else None
            if d:
                out[name] = d
        return out

    def export(self) -> dict:
        """What the claims committed to this state add to a batch, compactly (``scrubber.dask_run``:
        a partition's pre-pass); ``absorb`` of the exports of partitions 0..p-1, in order, gives
        partition p the state a single run would have. Needs ``recording`` set before the commits."""
        return {name: s.export() for name, s in self._slots.items() if hasattr(s, "export")}

    def absorb(self, exported: dict) -> None:
        for name, x in exported.items():
            self._slots[name].absorb(x)

    def merge_delta(self, delta: dict) -> None:
        """Apply a worker's ``take_delta`` (called in chunk order)."""
        for name, d in delta.items():
            self._slots[name].merge_delta(d)
