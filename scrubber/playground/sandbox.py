"""Run each playground check in a child process, bounded in time, so the server survives anything.

durable-rules is C code that can abort or segfault on some rules (DESIGN.md), keeps every ruleset
it ever registered for the life of the process, and a rule's regex or a huge claim can take long.
So the server never evaluates a rule itself. At start-up, before the HTTP server has threads, it
forks one single-threaded helper (the *zygote*) that has imported the engine and opened the
reference data once; for each check the zygote forks a child, which evaluates and sends its JSON
answer back over a pipe and exits. A child that runs past the time limit is killed, a child that
dies is reported; either way the page gets a clear error and the next check gets a fresh child.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import select
import signal
import threading
import time
from typing import Any

TIME_LIMIT = 20.0  # seconds per check


def _child(write_fd: int, job: dict) -> None:
    try:
        from scrubber.playground.check import check

        answer: Any = {"ok": True, "data": check(**job)}
    except Exception as exc:  # an unexpected bug is shown on the page, not a dead server
        answer = {"ok": False, "error": f"the check failed: {type(exc).__name__}: {exc}"}
    data = json.dumps(answer, default=str).encode("utf-8")
    with os.fdopen(write_fd, "wb") as w:
        w.write(data)


def _run_one(job: dict, limit: float) -> dict:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        import faulthandler

        faulthandler.disable()  # a crash is reported by the zygote, not as a traceback on the terminal
        os.close(read_fd)
        code = 0
        try:
            _child(write_fd, job)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    timed_out = False
    with os.fdopen(read_fd, "rb", buffering=0) as r:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                continue
            block = r.read(1 << 16)
            if not block:
                break
            chunks.append(block)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"ok": False, "error": f"the check took longer than {limit:g} s and was stopped; "
                                      "a very slow pattern or a very large claim?"}
    if os.WIFSIGNALED(status):
        return {"ok": False, "error": f"the rule engine crashed on this rule (signal {os.WTERMSIG(status)}); "
                                      "the server is fine, edit the rule and try again"}
    try:
        return json.loads(b"".join(chunks) or b"null") or {"ok": False, "error": "the check gave no answer"}
    except ValueError:
        return {"ok": False, "error": "the check gave an unreadable answer"}


def _zygote(conn, server_end, limit: float) -> None:
    """The helper's loop: warm the caches once, then one forked child per job.

    It closes its copy of the server's end of the pipe, so that when the server dies (even by
    SIGKILL) ``recv`` sees end-of-file and the helper exits instead of lingering.
    """
    server_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which then stops this
    try:
        import scrubber.playground.check  # noqa: F401  (engine, readers, reports imported once)
        from scrubber.refdata.rule_cases import rule_case_refdata

        rule_case_refdata()
    except Exception as exc:  # noqa: BLE001  each check then reports its own problem; say it once here
        import sys

        print(f"playground: warm-up failed ({type(exc).__name__}: {exc}); checks will be slower", file=sys.stderr)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_run_one(job, limit))


class Sandbox:
    """The server's handle on the zygote; one check at a time (the machine has few cores)."""

    def __init__(self, limit: float = TIME_LIMIT):
        ctx = multiprocessing.get_context("fork")  # forked before the server starts any thread
        self._conn, child_conn = ctx.Pipe()
        self._proc = ctx.Process(target=_zygote, args=(child_conn, self._conn, limit), daemon=True, name="claimscrub-playground")
        self._proc.start()
        child_conn.close()
        self._lock = threading.Lock()

    def run(self, **job) -> dict:
        with self._lock:
            if not self._proc.is_alive():
                return {"ok": False, "error": "the playground's checker process has stopped; restart `claimscrub rules serve`"}
            self._conn.send(job)
            return self._conn.recv()

    def close(self) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._proc.join(timeout=2)
        if self._proc.is_alive():
            self._proc.kill()
