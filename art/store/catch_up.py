"""A writer's background catch-up: after log() writes its files, the catalog ingests them soon.

Readers catch up by themselves; this only keeps their catch-up short. One worker thread per
catalog coalesces every log() of the last moment into one catalog write.

At interpreter exit the worker gets a short grace to finish, then is told to stop between two
files (its transaction is rolled back; the files hold everything) and is joined: a thread still
inside DuckDB when the interpreter finalizes aborts the process (`terminate called without an
active exception`). A forked child starts with no worker and nothing pending.
"""

from __future__ import annotations

import atexit
import os
import threading
import warnings
import weakref
from collections.abc import Callable
from typing import Any

SYNC_INTERVAL = 1.0  # seconds the worker waits to batch log() calls
EXIT_GRACE = 2.0  # seconds a pending catch-up may take at exit before it is cancelled


class CatchUpCancelled(Exception):
    """The catch-up was stopped (interpreter exit); nothing it did was committed."""


Batch = dict[tuple[str, str], Any]
Sync = Callable[[Batch, Callable[[], bool]], None]


class CatchUp:
    """Collects (project, model) pairs, each with what is known of its changes, and hands them
    to `sync` from one background thread.

    `sync(batch, cancelled)` gets {(project, model): changes} and must check `cancelled()`
    often and raise CatchUpCancelled. `merge(old, new)` combines two calls' changes. A model's
    changes are None (look at everything) until one catch-up of it has succeeded in this
    process, and again after one failed: only then can the calls since be all there is.
    """

    def __init__(self, sync: Sync, merge: Callable[[Any, Any], Any] = lambda old, new: None) -> None:
        self.sync = sync
        self.merge = merge
        self.interval = SYNC_INTERVAL
        self._reset()
        _all.add(self)

    def _reset(self) -> None:
        self._pending: Batch = {}
        self._known: set[tuple[str, str]] = set()  # caught up; every change since is pending
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._wake = threading.Event()
        self._cancel = threading.Event()
        self._closed = False

    def soon(self, project: str, model: str, changes: Any = None) -> None:
        with self._lock:
            if self._closed:
                return  # exiting: the files hold the step and readers catch up
            key = (project, model)
            if key not in self._known:
                changes = None
            self._pending[key] = self.merge(self._pending[key], changes) if key in self._pending else changes
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._drain, name="art-catalog", daemon=True)
                self._worker.start()

    def _drain(self) -> None:
        while True:
            self._wake.wait(self.interval)
            with self._lock:
                if not self._pending or self._cancel.is_set():
                    self._worker = None
                    return
                batch = dict(sorted(self._pending.items()))
                self._pending = {}
            try:
                self.sync(batch, self._cancel.is_set)
            except CatchUpCancelled:
                return
            except Exception as e:  # the files hold the step; a reader will catch up
                with self._lock:
                    self._known.difference_update(batch)
                    for key in batch.keys() & self._pending.keys():
                        self._pending[key] = None  # its changes since are not all there is
                warnings.warn(f"catalog catch-up deferred: {e}", RuntimeWarning, stacklevel=1)
            else:
                with self._lock:
                    self._known.update(batch)

    def flush(self, timeout: float | None = None) -> None:
        """Run the pending catch-up now and wait for it to finish."""
        worker = self._worker
        if worker is not None:
            self._wake.set()
            worker.join(timeout)
            self._wake.clear()

    def close(self, grace: float | None = None) -> None:
        """Let pending work run for up to `grace` seconds (default EXIT_GRACE), then cancel it;
        return once the worker has left DuckDB. Later `soon()` calls do nothing."""
        with self._lock:
            self._closed = True
            worker = self._worker
        if worker is None:
            return
        self._wake.set()
        worker.join(EXIT_GRACE if grace is None else grace)
        self._cancel.set()
        worker.join()


_all: weakref.WeakSet[CatchUp] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for catch_up in list(_all):
        catch_up.close()


def _reset_in_child() -> None:
    for catch_up in _all:
        catch_up._reset()


os.register_at_fork(after_in_child=_reset_in_child)
