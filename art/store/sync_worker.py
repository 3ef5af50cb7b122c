"""A file's fdatasync run beside the caller: log() computes its step's metrics while the disk
writes the step's file (both wait outside the GIL), instead of one after the other.

The threads are the process's own (a forked child makes its own: an executor copied by fork
has no threads but believes it has idle ones, and would never run a job).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

from art.store.per_process import PerProcess

# enough for a few models logged from as many threads at once; each job is one system call
WORKERS = 4


def _executor(_: None) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="art-sync")


_executors: PerProcess[None, ThreadPoolExecutor] = PerProcess(_executor)


def _sync_and_close(fd: int) -> None:
    try:
        os.fdatasync(fd)
    finally:
        os.close(fd)


def sync_and_close_soon(fd: int) -> Future[None]:
    """fdatasync then close `fd` in a worker thread (which now owns it); the future holds the
    sync's error, if any. The descriptor is closed either way."""
    try:
        return _executors.get(None).submit(_sync_and_close, fd)
    except RuntimeError:  # no new thread at interpreter exit: sync it here
        done: Future[None] = Future()
        try:
            _sync_and_close(fd)
        except OSError as e:
            done.set_exception(e)
        else:
            done.set_result(None)
        return done
