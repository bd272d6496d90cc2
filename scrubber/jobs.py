"""``--jobs N``: reading, facts, rules and findings in N worker processes; the parent only merges.

Why this shape: a batch has batch-wide relations (a service repeated on an earlier claim,
frequency limits counted in batch order), so claim N's findings depend on claims 0..N-1. Each
worker reads the whole input (reading is a small part of the cost) and cuts it into the same
chunks a serial run does (``pipeline.chunked``); worker ``w`` of ``N`` evaluates chunks
``k % N == w`` and only *commits* the others' claims to its batch state (digests and counts:
``scrubber.engine.batch``). Every claim so sees exactly the batch a serial run gives it, and the
parent, taking chunks in order, produces the same RunResult byte for byte. What a worker's claims
add to the parent's state (the services counted under frequency limits, which the ledger
records) comes back per chunk and is merged in chunk order.

Failure containment: a worker announces a chunk's claims before evaluating it. If it dies (a
durable-rules abort, a segfault, an exception), a new worker resumes that residue class at the
same chunk; a second death on the chunk re-runs it with the reference evaluator only; a third
costs the chunk: its claims are reported unreadable with a ``worker-crash`` run error naming
them, and the run goes on. No claim is lost.

Workers die with their parent: ``PR_SET_PDEATHSIG`` (Linux, via ctypes) sends them SIGKILL when
the parent dies, even by ``kill -9``; elsewhere a worker stops at its next write to the closed
pipe. They ignore SIGINT: on Ctrl-C the parent stops them, and nothing is recorded in a ledger.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Iterable, Optional

from scrubber.engine.procs import die_with_parent
from scrubber.model import ClaimResult, RunError, RunResult
from scrubber.model.result import ClaimTotals

MAX_ATTEMPTS = 3  # per chunk: durable-rules, durable-rules again, then the reference evaluator


@dataclass
class _Assignment:
    worker: int  # residue class: chunks k with k % jobs == worker
    jobs: int
    start: int  # first chunk of the class this worker evaluates (earlier ones were merged)
    oracle_only: int = -1  # a chunk evaluated by the reference evaluator only (after two deaths)


def _worker_main(conn, parent_pid: int, opts, records_factory, task: _Assignment, inherited: list) -> None:
    die_with_parent(parent_pid)
    for other in inherited:  # the other workers' pipes: only the parent may hold their read ends
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 0
    try:
        _work(conn, opts, records_factory, task)
    except BaseException:  # noqa: BLE001 - reported to the parent, which re-runs the chunk
        try:
            conn.send(("failed", traceback.format_exc(limit=8)))
        except Exception:  # noqa: BLE001
            pass
        code = 1
    finally:
        try:
            conn.close()
        finally:
            os._exit(code)  # no atexit, no finalizers: the parent's ledger connection is not ours


def _work(conn, opts, records_factory, task: _Assignment) -> None:
    from scrubber.pipeline import chunked, contexts_for, evaluate_chunk

    picker = None
    if opts.html_digest is not None:
        from scrubber.report.html_digest import HtmlPicker

        picker = HtmlPicker()
    engine = opts.evaluator
    if engine is not None and hasattr(engine, "workers"):
        engine.workers = 0  # durable-rules in this process: the worker is the containment
    batch = getattr(engine, "batch", None)
    k = -1
    for k, (errors, pending) in enumerate(chunked(records_factory())):
        if k % task.jobs != task.worker or k < task.start:
            if batch is not None:  # another worker's chunk: only what it adds to the batch
                claims = [r.claim for r in pending if r.claim is not None]
                contexts = contexts_for(opts, claims, []) or [None] * len(claims)
                for claim, ctx in zip(claims, contexts):
                    batch.commit(claim, ctx)
                batch.take_delta()  # the owner of the chunk reports it
            continue
        conn.send(("begin", k, [(r.claim_id, r.source.path, r.source.segment) for r in pending]))
        if engine is not None and hasattr(engine, "oracle_only"):
            engine.oracle_only = k == task.oracle_only
        results, eval_errors = evaluate_chunk(opts, pending)
        keys = [opts.claim_keys(r, cr) for r, cr in zip(pending, results)] if opts.claim_keys is not None else None
        digest_part = picker.part(results) if picker is not None else None
        delta = batch.take_delta() if batch is not None else {}
        conn.send(("block", k, errors + eval_errors, *_block_of(opts, results), keys, delta, digest_part))
    state = opts.reader_state
    conn.send(("end", k + 1, dict(vars(state)) if state is not None else None))


def _block_of(opts, results: list[ClaimResult]) -> tuple:
    """A chunk's results as one pickled block the parent spools unopened (``ClaimSpool.append_block``),
    with the few things the parent uses beside it: each claim's status (on_claim: the progress
    line), the chunk's summary totals and, for a JSON report, its claims' JSON text."""
    totals = ClaimTotals()
    for cr in results:
        totals.add(cr)
    text = "".join(map(opts.claim_json, results)).encode("utf-8") if opts.claim_json is not None else None
    statuses = "".join(_STATUS_CODE[cr.status] for cr in results)
    return pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL), statuses, totals, text


_STATUS_CODE = {"clean": "c", "flagged": "f", "unreadable": "u"}


class _Status:
    """What on_claim gets of a worker's result: its status (``ScrubOptions.on_claim``)."""

    __slots__ = ("status",)

    def __init__(self, status: str):
        self.status = status


_STATUS_OF = {code: _Status(status) for status, code in _STATUS_CODE.items()}
_RECORD_OF = {"c": SimpleNamespace(claim=SimpleNamespace(raw=None), keys=None),
              "f": SimpleNamespace(claim=SimpleNamespace(raw=None), keys=None),
              "u": SimpleNamespace(claim=None, keys=None)}


def _merge_block(opts, result: RunResult, blob: bytes, statuses: str, totals, text, keys, digest_part) -> None:
    if hasattr(result.claims, "append_block"):
        result.claims.append_block(blob, len(statuses), totals, text)
    else:
        result.claims.extend(pickle.loads(blob))
    if opts.html_digest is not None:
        opts.html_digest.merge(digest_part)
    if opts.on_claim is not None:
        for j, code in enumerate(statuses):
            record = _RECORD_OF[code] if keys is None else SimpleNamespace(claim=_RECORD_OF[code].claim, keys=keys[j])
            opts.on_claim(record, _STATUS_OF[code])


class _Workers:
    """The worker processes of one run, one per residue class of chunks."""

    def __init__(self, opts, records_factory, jobs: int):
        self.opts, self.records_factory, self.jobs = opts, records_factory, jobs
        self.ctx = multiprocessing.get_context("fork")
        self.procs: dict[int, tuple] = {}
        for w in range(jobs):
            self.start(_Assignment(w, jobs, 0))

    def start(self, task: _Assignment) -> None:
        self.stop(task.worker)
        recv, send = self.ctx.Pipe(duplex=False)
        inherited = [c for _, c in self.procs.values()] + [recv]
        p = self.ctx.Process(target=_worker_main, args=(send, os.getpid(), self.opts, self.records_factory, task, inherited),
                             daemon=True, name=f"claimscrub-worker-{task.worker}")
        p.start()
        send.close()
        self.procs[task.worker] = (p, recv)

    def receive(self, worker: int):
        """The worker's next message, or ("died", detail) when it is gone."""
        p, conn = self.procs[worker]
        try:
            return conn.recv()
        except (EOFError, OSError):
            p.join(5)
            return ("died", f"exit code {p.exitcode}" if p.exitcode is None or p.exitcode >= 0
                    else f"killed by signal {-p.exitcode}")

    def stop(self, worker: int) -> None:
        hit = self.procs.pop(worker, None)
        if hit is not None:
            p, conn = hit
            conn.close()
            if p.is_alive():
                p.kill()
            p.join()

    def stop_all(self) -> None:
        for w in list(self.procs):
            self.stop(w)


def _failed_results(claims: list, detail: str) -> list[ClaimResult]:
    return [ClaimResult(claim_id=cid, source_path=path, source_segment=seg, status="unreadable", findings=(),
                        error=f"the worker evaluating this claim's chunk died ({detail}); the claim was not evaluated")
            for cid, path, seg in claims]


def run_parallel(opts, records_factory: Callable[[], Iterable], result: RunResult) -> RunResult:
    """The parallel run: chunks merged in order into ``result`` (see the module docstring)."""
    from scrubber.pipeline import keep_result

    jobs = opts.jobs
    batch = getattr(opts.evaluator, "batch", None)
    pool = _Workers(opts, records_factory, jobs)
    try:
        k, attempts, announced = 0, 0, None
        while True:
            w = k % jobs
            msg = pool.receive(w)
            kind = msg[0]
            if kind == "begin":
                announced = msg[2]
                continue
            if kind == "end":
                if opts.reader_state is not None and msg[2]:
                    vars(opts.reader_state).update(msg[2])
                pool.stop_all()
                break
            if kind == "block":
                _, _, errors, blob, statuses, totals, text, keys, delta, digest_part = msg
                result.errors.extend(errors)
                if batch is not None and delta:
                    batch.merge_delta(delta)
                _merge_block(opts, result, blob, statuses, totals, text, keys, digest_part)
                if attempts:
                    result.errors.append(_retry_note(announced, attempts))
                k, attempts, announced = k + 1, 0, None
                continue
            # the worker died ("died") or raised ("failed") on chunk k, or before announcing it
            detail = msg[1].strip().splitlines()[-1] if kind == "failed" else msg[1]
            attempts += 1
            if attempts < MAX_ATTEMPTS:
                pool.start(_Assignment(w, jobs, k, oracle_only=k if attempts == MAX_ATTEMPTS - 1 else -1))
                continue
            if announced is None:  # it dies reading, before it can name the chunk's claims
                result.errors.append(RunError("worker-crash", f"a worker died {attempts} times reading the input "
                                              f"before chunk {k + 1} ({detail}); the rest of the input was not read"))
                break
            result.errors.append(RunError("worker-crash", f"a worker died {attempts} times on a chunk of {len(announced)} "
                                          f"claims ({detail}); claims not evaluated: {', '.join(str(c[0]) for c in announced)}",
                                          announced[0][1], announced[0][2]))
            for cr in _failed_results(announced, detail):
                keep_result(opts, result, cr)
                if opts.on_claim is not None:
                    opts.on_claim(SimpleNamespace(claim=None, keys=_unread_keys(opts, cr)), cr)
            pool.start(_Assignment(w, jobs, k + jobs))
            k, attempts, announced = k + 1, 0, None
    finally:
        pool.stop_all()
    return result


def _unread_keys(opts, cr: ClaimResult):
    """The claim keys of a claim a dead worker could not evaluate (its record is gone with it)."""
    if opts.claim_keys is None:
        return None
    return opts.claim_keys(SimpleNamespace(claim=None), cr)


def _retry_note(announced: Optional[list], attempts: int) -> RunError:
    first = announced[0] if announced else ("?", None, None)
    how = "re-run and completed" if attempts < MAX_ATTEMPTS - 1 else "evaluated by the reference evaluator instead"
    return RunError("engine-retry", f"a worker died on a chunk of {len(announced or ())} claims (from claim {first[0]}); "
                    f"the chunk was {how}", first[1], first[2])
