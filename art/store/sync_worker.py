"""A file's fdatasync run beside the caller: log() computes its step's metrics while the disk
writes the step's file (both wait outside the GIL), instead of one after the other.

The threads are the process's own (a forked child makes its own: an executor copied by fork
has no threads but believes it has idle ones, and would never run a job).
"""

from __future__ import annotations

import os
import threading
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
    sync's error, if any. The descriptor is closed either way, and once.

    The job runs here if it cannot be handed to a worker. A submit can fail after queueing the
    job (a new worker thread that cannot start, while another worker is busy): whoever claims
    the job first runs it, so that worker, taking it later, cannot close the number again
    (by then another file's)."""
    done: Future[None] = Future()
    claim = threading.Lock()

    def job() -> None:
        if not claim.acquire(blocking=False):
            return  # run by the other side
        try:
            _sync_and_close(fd)
        except BaseException as e:
            done.set_exception(e)
        else:
            done.set_result(None)

    try:
        _executors.get(None).submit(job)
    except BaseException as e:  # no worker (at interpreter exit, no thread left): sync it here
        job()
        if not isinstance(e, RuntimeError):  # an interrupt mid-submit: the file is closed, go on
            raise
    return done
