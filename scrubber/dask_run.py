"""``audit run --dask ADDRESS|local``: the same audit on a Dask cluster (``pip install 'claimscrub[dask]'``).

Partitions: one per input file, and a large X12 file cut at its interchange boundaries
(``scrubber.dask_split``: a scan that reads each ISA's own delimiters; the reader numbers each part's
segments from its offset in the file); a ``.gz`` file is one partition. A batch has batch-wide relations
(a service repeated on an earlier claim, frequency limits counted in batch order), so the run has
two passes over the partitions, each a Dask task per partition:

1. **pre-pass**: read the partition, commit its claims to a fresh batch state (no facts, no rules)
   and export what they add, compactly (``BatchState.export``: service digests, counts, the
   claims under frequency limits as the tracker reads them -- no names, no addresses);
2. **evaluation**: a fresh batch state absorbs the exports of partitions 0..p-1 in order, which is
   the state a single run has when it reaches partition p, then the partition is read, evaluated
   and its claim results returned.

The client merges the partitions in order into one RunResult (and the services counted under
frequency limits, for the ledger), so the findings are those of a single-process run, claim by
claim. Each worker sets the run up once (rule packs, payer profiles, reference data) from the
settings the client sends, and keeps it for the next task of the same settings; each task starts
its own batch state. Workers need claimscrub installed (the same version and rule directories),
and the input files and data directory at the same paths (a shared file system).
"""
from __future__ import annotations

import hashlib
import pickle
from types import SimpleNamespace
from typing import Any, Optional

from scrubber.model import RunResult

# Per worker process: the prepared run for a settings digest (rules compiled, refdata opened) -- a
# set-up cache, not run state: every task makes its own batch state (engine.new_batch()).
_SETUP: dict[str, Any] = {}


def _prepared(settings):
    key = hashlib.sha256(pickle.dumps(settings)).hexdigest()
    hit = _SETUP.get(key)
    if hit is None:
        from scrubber.runsetup import prepare_run

        hit = _SETUP[key] = prepare_run(settings, workers=0)
    return hit


def _records(part, claim_filter):
    from scrubber.cli.audit_inputs import read_all
    from scrubber.dask_split import read_partition

    return read_all([part.path], lambda _files: read_partition(part), claim_filter)


def prepass(settings, part, claim_filter) -> dict:
    """Task 1: what partition ``part`` (``scrubber.dask_split.Partition``) adds to the batch state."""
    from scrubber.pipeline import chunked, contexts_for

    prepared = _prepared(settings)
    state = prepared.engine.new_batch()
    state.recording = True
    opts = prepared.options([part.path])
    for _, pending in chunked(_records(part, claim_filter)):
        claims = [r.claim for r in pending if r.claim is not None]
        contexts = contexts_for(opts, claims, []) or [None] * len(claims)
        for claim, ctx in zip(claims, contexts):
            state.commit(claim, ctx)
    return state.export()


def evaluate(settings, part, claim_filter, earlier: list, tracker, claim_keys=None) -> tuple:
    """Task 2: partition ``part``'s (run errors, claim results) per chunk, the services it counted
    under frequency limits, and how many claims the filter dropped."""
    from scrubber.pipeline import chunked, evaluate_chunk

    prepared = _prepared(settings)
    state = prepared.engine.new_batch()
    if tracker is not None:  # the scattered tracker is shared by the worker's tasks: count in a copy
        import copy

        tracker = copy.deepcopy(tracker)
        from scrubber.fields.payer import use_frequency_tracker

        use_frequency_tracker(state, tracker)
    for exported in earlier:
        state.absorb(exported)
    state.take_delta()  # what earlier partitions counted is theirs to report
    opts = prepared.options([part.path])
    out = []
    for errors, pending in chunked(_records(part, claim_filter)):
        results, eval_errors = evaluate_chunk(opts, pending)
        keys = [claim_keys(r, cr) for r, cr in zip(pending, results)] if claim_keys is not None else None
        out.append((errors + eval_errors, results, keys))
    return out, state.take_delta(), claim_filter.excluded, getattr(claim_filter, "excluded_ids", None)


def client_for(address: str, workers: int):
    """A Dask client: ``local`` starts a LocalCluster of worker processes bound to 127.0.0.1."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RuntimeError("--dask needs Dask: pip install 'claimscrub[dask]'") from exc
    if address == "local":
        # the scheduler's HTTP endpoints on 127.0.0.1 and a free port (never :8787 on every interface)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0")
        return Client(cluster), cluster
    return Client(address), None


def run_dask(opts, settings, files: list[str], claim_filter, address: str, workers: int,
             result: RunResult, tracker=None, partition_bytes: Optional[int] = None) -> RunResult:
    """Both passes on the cluster at ``address``; partitions merged in order into ``result``.
    ``partition_bytes``: the size large files are cut at (``scrubber.dask_split``)."""
    from dataclasses import replace

    from scrubber.dask_split import PARTITION_BYTES, partitions

    parts = partitions(files, partition_bytes or PARTITION_BYTES)  # one or more per file, in order
    client, cluster = client_for(address, workers)
    try:
        settings_f = client.scatter(settings, broadcast=True)  # travels once to each worker
        tracker_f = client.scatter(tracker, broadcast=True) if tracker is not None else None
        filters = [replace(claim_filter, excluded=0) for _ in parts]
        keys_f = opts.claim_keys  # audit --remits: the denial join's keys, computed where each claim is read
        exports = [client.submit(prepass, settings_f, part, f, pure=False) for part, f in zip(parts, filters)]
        evals = [client.submit(evaluate, settings_f, part, f, exports[:p], tracker_f, keys_f, pure=False)
                 for p, (part, f) in enumerate(zip(parts, filters))]
        batch = getattr(opts.evaluator, "batch", None)
        excluded = 0
        for fut in evals:  # in partition order
            chunks, delta, dropped, dropped_ids = fut.result()
            excluded += dropped
            if dropped_ids:  # audit --remits: a remittance of a filtered-out claim is "outside the filters"
                claim_filter.excluded_ids.update(dropped_ids)
            for errors, results, keys in chunks:
                result.errors.extend(errors)
                for j, cr in enumerate(results):
                    result.claims.append(cr)
                    if opts.on_claim is not None:
                        opts.on_claim(SimpleNamespace(claim=None, keys=keys[j] if keys is not None else None), cr)
            if batch is not None and delta:
                batch.merge_delta(delta)
            fut.release()
        claim_filter.excluded = excluded
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return result


def tracker_of(prepared) -> Optional[object]:
    """The run's frequency tracker when a ledger seeded one (its history travels to the workers)."""
    from scrubber.fields.payer import frequency_tracker

    return frequency_tracker(prepared.engine.batch)
