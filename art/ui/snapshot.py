"""One analysis connection per store, reopened at most every `ttl` seconds.

`art.connect()` copies the catalog under its lock (a few ms, and it catches the catalog up
with the files); opening one per request would put that on the trainer's lock once per
request. A short TTL bounds it to one per `ttl` whatever the number of open pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

PathOrStore = str | Path | Any


def open_connection(path_or_store: PathOrStore) -> duckdb.DuckDBPyConnection:
    """`art.connect` on a base path or a store object."""
    import art

    return art.connect(path_or_store)


class Snapshot:
    """A cached connection, used by one request at a time, refreshed in the background.

    The views of `art.connect()` are temporary, so a `cursor()` (a new connection to the same
    database) would not see them: requests take turns on the connection itself. A request
    that finds the connection older than `ttl` starts one background refresh and is served
    from the current snapshot meanwhile: `art.connect()` copies the whole catalog (hundreds of
    ms on a big store), which no page load should wait for. No request, no refresh: an idle
    dashboard costs the trainer nothing.
    """

    def __init__(self, path_or_store: PathOrStore, ttl: float = 1.0) -> None:
        self.path_or_store = path_or_store
        self.ttl = ttl
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def _refresh(self) -> None:
        try:
            fresh = open_connection(self.path_or_store)
            with self._lock:
                old, self._con, self._opened = self._con, fresh, time.monotonic()
            if old is not None:
                old.close()
        finally:
            self._refreshing.release()

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._con is None:
            with self._refreshing:
                if self._con is None:
                    self._con, self._opened = open_connection(self.path_or_store), time.monotonic()
        elif time.monotonic() - self._opened > self.ttl and self._refreshing.acquire(blocking=False):
            threading.Thread(target=self._refresh, daemon=True).start()
        with self._lock:
            assert self._con is not None
            yield self._con
