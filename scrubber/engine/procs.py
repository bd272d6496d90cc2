"""Worker processes die with their parent (issue 21): a ``kill -9`` of a run must leave nothing behind."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if that already happened.

    Called first thing in every forked worker (``scrubber.jobs`` and the engine's durable-rules pool).
    Without prctl (not Linux) a ``scrubber.jobs`` worker still stops at its next write to the pipe
    whose only reader was the parent."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
