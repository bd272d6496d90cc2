"""The scrub pipeline: read -> evaluate -> RunResult. Wiring between stages, no rules here.

Claims are read one transaction at a time and evaluated in chunks, so memory is
bounded by the results, not the input. Every ClaimRecord the reader yields becomes
exactly one ClaimResult (the accounting invariant).
"""
from __future__ import annotations

import gc
import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator, Optional, Protocol

from scrubber import __version__
from scrubber.model import Claim, ClaimRecord, ClaimResult, Finding, RunError, RunInfo, RunResult
from scrubber.model.envelope import detail_of, envelope_of, st_segment_of

CHUNK = 100
# Young-generation threshold of the cyclic GC while a run evaluates (see ``quiet_gc``).
RUN_GEN0 = 20_000


class Evaluator(Protocol):
    """Anything that turns a chunk of claims into findings per claim (index into the chunk)."""

    def evaluate(self, claims: list[Claim], contexts: Optional[list] = None) -> tuple[dict[int, list[Finding]], list[RunError]]: ...


@dataclass
class ScrubOptions:
    paths: list[str]
    payer_profile: Optional[str] = None
    evaluator: Optional[Evaluator] = None
    # Called once per claim, in input order. With workers (``jobs`` >= 1) it gets, of the result,
    # only its ``status``, and of the record only ``keys`` (``claim_keys``): the results themselves
    # reach the parent as pickled blocks it spools unopened (scrubber.jobs).
    on_claim: Optional[Callable[[ClaimRecord, ClaimResult], None]] = None
    run_extra: dict = field(default_factory=dict)
    rulesets: list[dict] = field(default_factory=list)
    refdata: list[dict] = field(default_factory=list)
    # Per-claim ClaimContext (payer profile, eligibility); None = the engine's defaults.
    context_for: Optional[Callable[[Claim], object]] = None
    # Problems found before reading (e.g. a bad eligibility file), reported with the run.
    initial_errors: list = field(default_factory=list)
    # Keep each X12 claim's 277CA detail (patient, provider, lines) on its ClaimResult.
    ack_details: bool = False
    # Worker processes (scrubber.jobs) that read and evaluate while this process only merges: the
    # CLI's --jobs, 1 included (one worker is the durable-rules crash containment, at no cost of
    # shipping facts to an engine pool); 0 = everything in this process (library callers, tests).
    jobs: int = 0
    # What on_claim needs from a claim's record and result beyond the status (audit --remits: the
    # denial join's claim and line keys; scrub --clean-out/--held-out: the claim's route and X12),
    # computed where the claim was read: (record, result) -> a small picklable value. With workers,
    # on_claim gets it as ``record.keys`` instead of the record's claim.
    claim_keys: Optional[Callable[[ClaimRecord, ClaimResult], object]] = None
    # An object the record stream updates as it reads (audit's claim filter counts what it drops):
    # with workers, the parent's copy gets a worker's attributes back at the end.
    reader_state: Optional[object] = None
    # Each result's JSON text (the JSON report's ``claim_text``), rendered where the claim is
    # evaluated and kept with the results (``ClaimSpool.keep_json``): set when the report is JSON.
    claim_json: Optional[Callable[[ClaimResult], str]] = None
    # The HTML report's totals, claim table and finding rows (``scrubber.report.html_digest``),
    # gathered as results are made (a worker's part of each chunk travels beside its block): the
    # report then needs no pass over the results. Set when the report is HTML.
    html_digest: Optional[object] = None


def sha256_of(path: str) -> Optional[str]:
    if path == "-" or not os.path.isfile(path):
        return None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_files(paths: Iterable[str]) -> list[str]:
    """Every file a scrub of ``paths`` reads, in the order the readers read them."""
    from scrubber.readers import input_files as reader_input_files

    return reader_input_files(paths)


def empty_directories(paths: Iterable[str]) -> list[RunError]:
    """A directory that holds no claim file is an input that could not be read, not an empty batch."""
    return [RunError("unreadable-file", "the directory holds no claim files", p, None)
            for p in paths if p != "-" and os.path.isdir(p) and not input_files([p])]


def claim_result(record: ClaimRecord, findings: list[Finding], ack_detail: bool = False,
                 last_envelope: Optional[list] = None) -> ClaimResult:
    """``ack_detail``: also keep what a 277CA names (costs ~1.4x this function; only when asked).
    ``last_envelope``: the caller's ``[header, X12Envelope]`` of the claim before (``_envelope``)."""
    from scrubber.model.segments import cited_segments

    claim = record.claim
    envelope = _envelope(record, last_envelope)
    all_findings = tuple(sorted(list(record.findings) + list(findings), key=Finding.sort_key))
    if claim is None:
        return ClaimResult(
            claim_id=record.claim_id,
            source_path=record.source.path,
            source_segment=record.source.segment,
            status="unreadable",
            findings=all_findings,
            error=record.error.message if record.error else "claim could not be read",
            envelope=envelope,
        )
    rendering = claim.provider("rendering") or claim.provider("billing")
    billing = claim.provider("billing")
    patient = claim.patient or claim.subscriber
    return ClaimResult(
        claim_id=claim.claim_id,
        source_path=claim.source.path,
        source_segment=claim.source.segment,
        status=ClaimResult.status_for(all_findings),
        payer=(claim.payer.name or claim.payer.payer_id) if claim.payer else None,
        total_charge=claim.total_charge,
        findings=all_findings,
        segments=cited_segments(record, all_findings),
        payer_id=claim.payer.payer_id if claim.payer else None,
        billing_npi=billing.npi if billing else None,
        rendering_npi=rendering.npi if rendering else None,
        service_date=claim.service_from.isoformat() if claim.service_from else None,
        patient_name=(" ".join(x for x in (patient.first_name, patient.last_name) if x) or None) if patient else None,
        member_id=(claim.subscriber.member_id if claim.subscriber else None),
        birth_date=(patient.birth_date.isoformat() if patient and patient.birth_date else None),
        envelope=envelope,
        ack_detail=detail_of(claim) if ack_detail and envelope is not None else None,
    )


def _envelope(record: ClaimRecord, last: Optional[list] = None):
    """The claim's X12Envelope (None for a JSON claim); claims of one transaction share it.

    ``last`` is ``[RawClaim header tuple, X12Envelope]`` of the claim before, kept by the caller's
    loop (``evaluate_chunk``), never by this module: nothing of a run lives in a process global."""
    source = record.source
    claim = record.claim
    raw = claim.raw if claim is not None else None
    if raw is None:
        if source.interchange is None and source.group is None and source.transaction is None:
            return None
        return envelope_of(None, source, None)
    if last is not None and last[0] is raw.header and last[1].interchange_control == source.interchange:
        return last[1]
    env = envelope_of(raw, source, st_segment_of(claim))
    if last is not None:
        last[0], last[1] = raw.header, env
    return env


def chunked(records: Iterable) -> Iterator[tuple[list[RunError], list[ClaimRecord]]]:
    """The record stream as evaluation chunks: (run errors met in stream order, up to CHUNK claim
    records). A serial run and every worker of a parallel one cut the same stream the same way,
    which is what makes their outputs identical; the last chunk may hold only errors."""
    errors: list[RunError] = []
    pending: list[ClaimRecord] = []
    for rec in records:
        if isinstance(rec, RunError):
            errors.append(rec)
            continue
        if rec.error is not None and rec.claim is None:
            errors.append(rec.error)
        pending.append(rec)
        if len(pending) >= CHUNK:
            yield errors, pending
            errors, pending = [], []
    yield errors, pending


def contexts_for(opts: ScrubOptions, claims: list[Claim], errors: list[RunError]) -> Optional[list]:
    """Each claim's context (None: the engine's defaults); a profile bug costs one claim its context, loudly."""
    if opts.context_for is None:
        return None
    contexts = []
    for claim in claims:
        try:
            contexts.append(opts.context_for(claim))
        except Exception as exc:  # noqa: BLE001 - reported as a run error naming the claim
            errors.append(RunError("context-error", f"claim {claim.claim_id}: payer profile / eligibility context failed: {type(exc).__name__}: {exc}", claim.source.path, claim.source.segment))
            contexts.append(None)
    return None if all(c is None for c in contexts) else contexts


def evaluate_chunk(opts: ScrubOptions, pending: list[ClaimRecord]) -> tuple[list[ClaimResult], list[RunError]]:
    """One chunk's claim results (one per record, in order) and the run errors its evaluation raised."""
    readable = [r for r in pending if r.claim is not None]
    found: dict[int, list[Finding]] = {}
    errors: list[RunError] = []
    if opts.evaluator is not None and readable:
        claims = [r.claim for r in readable]
        contexts = contexts_for(opts, claims, errors)
        found, eval_errors = opts.evaluator.evaluate(claims, contexts)
        errors.extend(eval_errors)
    by_record = {id(r): found.get(i, []) for i, r in enumerate(readable)}
    last_envelope: list = [None, None]  # this chunk's claims of one transaction share one envelope
    return [claim_result(r, by_record.get(id(r), []), opts.ack_details, last_envelope) for r in pending], errors


def new_result(opts: ScrubOptions) -> RunResult:
    """The run's RunResult before the first claim: what it reads and with what."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    inputs = [{"path": p, "sha256": sha256_of(p)} for p in input_files(opts.paths)]
    result = RunResult(
        tool_version=__version__,
        run=RunInfo(
            started=started,
            payer_profile=opts.payer_profile,
            inputs=inputs,
            rulesets=list(opts.rulesets),
            refdata=list(opts.refdata),
            extra=dict(opts.run_extra),
        ),
    )
    result.errors.extend(opts.initial_errors)
    result.errors.extend(empty_directories(opts.paths))
    if opts.claim_json is not None and hasattr(result.claims, "keep_json"):
        result.claims.keep_json(opts.claim_json)
    return result


def run_scrub(opts: ScrubOptions, records: Optional[Iterable] = None,
              records_factory: Optional[Callable[[], Iterable]] = None) -> RunResult:
    """Read, evaluate and account for every claim. ``records_factory`` (a function giving the record
    stream afresh) lets ``opts.jobs`` >= 1 run the work in worker processes (``scrubber.jobs``);
    ``records`` (a stream that can be read once) and standard input always run here."""
    from scrubber.readers import iter_records

    if records_factory is None and records is None:
        records_factory = lambda: iter_records(opts.paths)  # noqa: E731
    with quiet_gc():
        if opts.jobs >= 1 and records_factory is not None and "-" not in opts.paths:
            from scrubber.jobs import run_parallel

            return run_parallel(opts, records_factory, new_result(opts))
        result = new_result(opts)
        for errors, pending in chunked(records if records is not None else records_factory()):
            result.errors.extend(errors)
            results, eval_errors = evaluate_chunk(opts, pending)
            result.errors.extend(eval_errors)
            for r, cr in zip(pending, results):
                keep_result(opts, result, cr)
                if opts.on_claim is not None:
                    opts.on_claim(r, cr)
        return result


def keep_result(opts: ScrubOptions, result: RunResult, cr: ClaimResult) -> None:
    """The run's next claim result, held in this process: into the results and the report's digest."""
    result.claims.append(cr)
    if opts.html_digest is not None:
        opts.html_digest.add(cr)


@contextmanager
def quiet_gc():
    """During a run, the objects that exist before it (rule packs, reference data tables, the
    compiled engine: ~200,000 tracked objects) are frozen out of the cyclic GC, and young
    collections are spaced further apart. Why: every full collection rescanned those tables and
    the default young threshold collected a few hundred times per thousand claims: about 7% of a
    --jobs 2 worker's CPU on 20,000 generated claims (measured: 10.4-10.7 s -> 9.6-9.7 s a worker,
    same session). Forked workers inherit the
    frozen state, so their collections never touch (nor un-share) the parent's pages either.
    Everything is put back afterwards; a caller that froze objects itself, or turned automatic
    collection off, is left as it is."""
    old = gc.get_threshold()
    mine = gc.isenabled() and old[0] != 0 and gc.get_freeze_count() == 0
    if mine:
        gc.freeze()
        gc.set_threshold(max(old[0], RUN_GEN0), old[1], old[2])
    try:
        yield
    finally:
        if mine:
            gc.set_threshold(*old)
            gc.unfreeze()
