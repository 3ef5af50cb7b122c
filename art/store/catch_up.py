"""A writer's background catch-up: after log() writes its files, the catalog ingests them soon.

Readers catch up by themselves; this only keeps their catch-up short. One worker thread per
catalog coalesces every log() of the last moment into one catalog write.
"""

from __future__ import annotations

import atexit
import threading
import warnings
from collections.abc import Callable

SYNC_INTERVAL = 1.0  # seconds the worker waits to batch log() calls


class CatchUp:
    """Collects (project, model) pairs and hands them to `sync` from one background thread."""

    def __init__(self, sync: Callable[[list[tuple[str, str]]], None]) -> None:
        self.sync = sync
        self.interval = SYNC_INTERVAL
        self._pending: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._wake = threading.Event()

    def soon(self, project: str, model: str) -> None:
        with self._lock:
            self._pending.add((project, model))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._drain, name="art-catalog", daemon=True)
                self._worker.start()
                _live.add(self)

    def _drain(self) -> None:
        while True:
            self._wake.wait(self.interval)
            with self._lock:
                if not self._pending:
                    self._worker = None
                    return
                batch = sorted(self._pending)
                self._pending.clear()
            try:
                self.sync(batch)
            except Exception as e:  # the files hold the step; a reader will catch up
                warnings.warn(f"catalog catch-up deferred: {e}", RuntimeWarning, stacklevel=1)

    def flush(self, timeout: float | None = None) -> None:
        """Run the pending catch-up now and wait for it to finish."""
        worker = self._worker
        if worker is not None:
            self._wake.set()
            worker.join(timeout)
            self._wake.clear()


_live: set[CatchUp] = set()


@atexit.register
def _flush_all() -> None:
    for catch_up in list(_live):
        catch_up.flush(timeout=10)
