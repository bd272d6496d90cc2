"""Process-tree helpers for the tests that kill a parent and check its workers (Linux /proc)."""
from __future__ import annotations

from pathlib import Path


def children(pid: int) -> set[int]:
    """The pids of ``pid``'s child processes, from every thread's ``children`` list."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.update(int(x) for x in (task / "children").read_text().split())
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    """``pid`` exists and is neither a zombie nor dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def in_one_process(monkeypatch) -> None:
    """CLI runs evaluate in the test's own process (``scrubber.pipeline``'s loop, durable-rules in the
    engine's pool) instead of in ``--jobs`` workers: the reference a worker run must equal."""
    import scrubber.jobs as jobs
    import scrubber.pipeline as pipeline

    def here(opts, records_factory, _result):
        opts.jobs = 0
        return pipeline.run_scrub(opts, records_factory=records_factory)

    monkeypatch.setattr(jobs, "run_parallel", here)
