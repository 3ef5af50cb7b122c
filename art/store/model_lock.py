"""One writer at a time per model, across threads and processes: a log() call writes its
parquet file and appends its history line under this lock, so the last history row of a step
and the step's file always come from the same call.

It is an flock on `MODEL/.log.lock`, opened through the model folder's checked descriptor.
Each holder opens its own descriptor, so threads of one process exclude each other too. A
child forked while a thread held the lock closes its inherited copy (else the lock would stay
held for as long as the child lives).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from art.store.confined import open_file

LOCK_NAME = ".log.lock"

_held: set[int] = set()
_held_lock = threading.Lock()


@contextmanager
def model_lock(model_fd: int, shown: Path) -> Iterator[None]:
    """Hold the model's write lock (blocking) for the body."""
    fd = open_file(model_fd, LOCK_NAME, os.O_RDWR | os.O_CREAT, shown / LOCK_NAME)
    with _held_lock:
        _held.add(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with _held_lock:
            _held.discard(fd)
        os.close(fd)


def _forget_in_child() -> None:
    global _held_lock
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()
    _held_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)
