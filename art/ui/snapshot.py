"""One analysis connection per store, reopened at most every `ttl` seconds, and the answers
computed on it, kept until the store changes.

`art.connect()` copies the catalog under its lock (a few ms, and it catches the catalog up
with the files); opening one per request would put that on the trainer's lock once per
request. A short TTL bounds it to one per `ttl` whatever the number of open pages.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

PathOrStore = str | Path | Any

CACHED_ANSWERS = 64
# how long an exiting process waits for a background refresh still running
EXIT_WAIT = 5.0
_refreshes: set[threading.Thread] = set()


@atexit.register
def _wait_for_refreshes() -> None:
    """At exit, give the refreshes still running EXIT_WAIT seconds to end, so that one inside
    DuckDB is not stopped there (a daemon thread stopped inside a DuckDB call as the
    interpreter finalizes aborts it). A refresh left running longer is waiting for a
    catalog a writer holds (up to its 60 s lock timeout): Ctrl-C must not wait for that."""
    deadline = time.monotonic() + EXIT_WAIT
    for thread in list(_refreshes):
        thread.join(max(0.0, deadline - time.monotonic()))


def open_connection(path_or_store: PathOrStore) -> duckdb.DuckDBPyConnection:
    """`art.connect` on a base path or a store object."""
    import art

    return art.connect(path_or_store)


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What `ui/stamp` says: changes whenever anything is logged."""
    from art.ui.data import stamp

    return stamp(con)


class Snapshot:
    """A cached connection, used by one request at a time, refreshed in the background.

    The views of `art.connect()` are temporary, so a `cursor()` (a new connection to the same
    database) would not see them: requests take turns on the connection itself. A request
    that finds the connection older than its refresh interval starts one background refresh
    and is served from the current snapshot meanwhile: `art.connect()` catches the catalog
    up and copies it (up to a second on a store of hundreds of runs), which no page load
    should wait for. The interval is `ttl`, or twice what the last refresh took when that is
    longer, so an open page never keeps a core busy refreshing (a longer interval while
    nothing is logged would delay the first new step a live page shows). No request, no
    refresh: an idle dashboard costs the trainer nothing.

    Answers (`answer`) are kept per key until a refresh finds the store changed: reloading a
    page, or a poll while nothing is logged, costs no query.
    """

    def __init__(self, path_or_store: PathOrStore, ttl: float = 1.0) -> None:
        self.path_or_store = path_or_store
        self.ttl = ttl
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: str | None = None
        self._due = 0.0
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def _open(self) -> tuple[duckdb.DuckDBPyConnection, str, float]:
        started = time.monotonic()
        con = open_connection(self.path_or_store)
        return con, fingerprint(con), time.monotonic() - started

    def _install(self, con: duckdb.DuckDBPyConnection, stamp: str, took: float) -> None:
        with self._lock:
            old, self._con = self._con, con
            if stamp != self._stamp:
                self._stamp = stamp
                self._answers.clear()
            self._due = time.monotonic() + max(self.ttl, 2 * took)
        if old is not None:
            old.close()

    def _refresh(self) -> None:
        try:
            self._install(*self._open())
        finally:
            self._refreshing.release()
            _refreshes.discard(threading.current_thread())

    def _ensure_fresh(self) -> None:
        if self._con is None:
            with self._refreshing:
                if self._con is None:
                    self._install(*self._open())
        elif time.monotonic() > self._due and self._refreshing.acquire(blocking=False):
            # a daemon, waited for at exit for EXIT_WAIT seconds at most (_wait_for_refreshes)
            thread = threading.Thread(target=self._refresh, name="art-ui-refresh", daemon=True)
            _refreshes.add(thread)
            thread.start()

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._ensure_fresh()
        with self._lock:
            assert self._con is not None
            yield self._con

    def answer(self, key: Hashable, compute: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """`compute(con)` on the current snapshot, or what it gave for `key` on this version of
        the store. The result is shared: treat it as read-only."""
        self._ensure_fresh()
        with self._lock:
            assert self._con is not None
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            result = compute(self._con)
            self._answers[key] = result
            while len(self._answers) > CACHED_ANSWERS:
                self._answers.popitem(last=False)
            return result
