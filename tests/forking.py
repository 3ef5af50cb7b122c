"""Running a check in a forked child: for locks a thread of the parent held at the fork."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def in_forked_child(check: Callable[[], bool], seconds: float = 20) -> int | None:
    """Fork; the child runs `check` and exits 0 if it returned true, 2 if false, 1 if it
    raised. Returns the child's exit code, or None if it had not ended within `seconds` (it
    is then killed): a child waiting on a lock no thread of its own will release."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if check() else 2
        finally:
            os._exit(code)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None
