"""The process's one connection to a DuckLake: extensions from their wheels, secrets, a
creation safe to race, and every write retried within the store's time bound.

Attaching costs about 0.2 s, so each process keeps one connection per lake; a conflicting
commit is retried on that same connection (reconnecting leaks a PostgreSQL connection).
Beside it, one libpq connection takes PostgreSQL advisory locks: one around creating the
lake, one per (model, split, step) while a step's trajectories are replaced.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from art.errors import InvalidArgumentError
from art.store import sql
from art.store.lake_errors import (
    CatalogUnavailableError,
    LakeConflictError,
    LakeError,
    LakeUnavailableError,
    Scrubber,
    StorageUnavailableError,
    classify,
)
from art.store.per_process import PerProcess
from art.store.sandbox import close_doors

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

__all__ = ["LakeConnection", "LakeError", "lake_connection", "lake_reader"]

log = logging.getLogger(__name__)
T = TypeVar("T")
LAKE_EXTENSIONS = ("ducklake", "postgres", "httpfs")
INIT_LOCK = "art-lake:create"
HANG_GRACE = 0.5
"""Seconds past the deadline a caller waits for a call DuckDB could not interrupt."""


class _Hung(Exception):
    """A call did not come back by its deadline."""


def _install_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Copy the extensions from their wheels into the extension directory (idempotent)."""
    try:
        from duckdb_extensions import import_extension
    except ImportError as e:
        raise LakeError("DuckLake needs the extension wheels: pip install 'art-duckdb[lake]'") from e
    for name in LAKE_EXTENSIONS:
        import_extension(name, con=con)


@contextmanager
def _watchdog(cur: duckdb.DuckDBPyConnection, deadline: float) -> Iterator[None]:
    """Interrupts the cursor's query at the deadline: a frozen server cannot hold a call longer
    (DuckDB notices within one HTTP timeout). The timer's thread is joined on the way out: it
    holds the cursor, and a DuckDB object freed on a daemon thread while the interpreter exits
    aborts the process (`terminate called without an active exception`)."""
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cur.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()


class LakeConnection:
    """The process's one connection to a lake, with the tables created and the lake in use."""

    def __init__(self, store: DuckLakeStore, reader: bool = False) -> None:
        from art.store.lake_pg import CatalogDatabase, split_password

        self.store = store
        self.reader = reader
        self.lock = threading.RLock()
        connect_timeout = max(2, math.ceil(store.timeout / 3))
        conninfo, password, params = split_password(store.catalog, connect_timeout)
        self.scrub = Scrubber([password, store.s3.secret if store.s3 else None])
        self.where = " ".join(f"{k}={params[k]}" for k in ("host", "port", "dbname") if k in params)
        self.pg = CatalogDatabase(conninfo, password)
        self.created = False
        self.running: threading.Thread | None = None
        store.extension_directory.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(
            ":memory:",
            config={
                "extension_directory": str(store.extension_directory),
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": True,
            },
        )
        try:
            self._configure(conninfo, password)
            self._call(self._attach, what="open the lake")
            if reader:
                close_doors(self.con, [_folder(store.data_path)])
        except BaseException:
            self.close()
            raise

    def _configure(self, conninfo: str, password: str | None) -> None:
        """Extensions, time bounds and secrets: the password goes into a DuckDB secret, so the
        connection string DuckDB quotes in its errors never holds it."""
        store = self.store
        try:
            _install_extensions(self.con)
            http_timeout = max(1, math.ceil(store.timeout / 6))
            sql.run(self.con, "lake/set_http_timeout", seconds=http_timeout)
            sql.run(self.con, "lake/set_http_retries", retries=1)
            if password is not None:
                sql.run(self.con, "lake/secret_postgres", password=password)
            if store.s3 is not None:
                s3 = store.s3
                sql.run(
                    self.con,
                    "lake/secret_s3",
                    key_id=s3.key_id,
                    secret=s3.secret,
                    region=s3.region,
                    endpoint=s3.endpoint,
                    url_style=s3.url_style,
                    use_ssl=s3.use_ssl,
                )
            sql.run(self.con, "lake/secret", metadata_path=f"postgres:{conninfo}", data_path=store.data_path)
        except duckdb.Error as e:
            raise LakeError(f"could not set up DuckDB for the lake: {self.scrub(e)}") from None

    def _attach(self, deadline: float) -> None:
        """Attach; create the catalog and tables under an advisory lock unless they exist (a
        reader has the process's writing connection create them, then attaches read-only)."""
        tables = "lake/pg_lake_ready" if self.reader else "lake/pg_lake_writable"
        ready = self.pg.run("lake/pg_catalog_exists")[0][0] and self.pg.run(tables)[0][0]
        if self.reader:
            if not ready:
                lake_connection(self.store)
            sql.run(self.con, "lake/attach_read_only")
            sql.run(self.con, "lake/use")
            return
        with nullcontext() if ready else self.pg.lock(INIT_LOCK, deadline):
            if not ready:
                exists = self.pg.run("lake/pg_catalog_exists")[0][0]
                self.created = not (exists and self.pg.run(tables)[0][0])
            sql.run(self.con, "lake/attach")
            if self.created:
                for name in ("lake/schema_trajectories", "lake/schema_history", "lake/schema_model_state"):
                    self._transaction(lambda cur, name=name: sql.run(cur, name), None, deadline)
        sql.run(self.con, "lake/use")

    def _call(self, fn: Callable[[float], T], what: str) -> T:
        """Call fn(deadline), retrying conflicts and unreachable services with jittered backoff
        until the store's timeout; then raise the typed error naming the service."""
        start = time.monotonic()
        deadline = start + self.store.timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._bounded(fn, deadline)
            except KeyboardInterrupt:
                raise
            except _Hung:
                kind = self._diagnose()
                raise self._give_up(kind, what, attempt, time.monotonic() - start, "no answer") from None
            except Exception as e:
                kind = classify(e)
                text = self.scrub(e)
                if isinstance(e, duckdb.InterruptException):  # the watchdog: time is up
                    kind = self._diagnose()
                    raise self._give_up(kind, what, attempt, time.monotonic() - start, "no answer") from None
                if kind is None:
                    raise LakeError(f"could not {what}: {text}") from None
                remaining = deadline - time.monotonic()
                out_of_tries = kind is LakeConflictError and attempt >= self.store.max_retries
                if out_of_tries or remaining < 0.05:
                    raise self._give_up(kind, what, attempt, time.monotonic() - start, text) from None
                log.info("lake: retrying %s after %s (try %d): %s", what, kind.__name__, attempt, text)
                # jittered backoff, the last try at the deadline
                time.sleep(min(remaining, min(2.0, 0.02 * 1.6 ** min(attempt, 20)) * (0.5 + random.random())))

    def _bounded(self, fn: Callable[[float], T], deadline: float) -> T:
        """fn(deadline) in a worker thread, joined until the deadline (plus a moment).

        Some waits inside DuckDB (an S3 upload to a frozen server) ignore interrupts; the
        caller gets its answer in time anyway. A call left running keeps the connection: the
        next call waits for it within its own deadline. A call that timed out may still land
        later (as after any timeout), but one that returned is committed. The worker is
        joined, not just heard from: until it ends it holds what the call made (a cursor in an
        error's frames), which must not be freed on a daemon thread as the interpreter exits."""
        previous = self.running
        if previous is not None:
            previous.join(max(0.0, deadline - time.monotonic()))
            if previous.is_alive():
                raise _Hung
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["result"] = fn(deadline)
            except BaseException as e:
                box["error"] = e

        worker = threading.Thread(target=run, name="art-lake-call", daemon=True)
        self.running = worker
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()) + HANG_GRACE)
        if worker.is_alive():
            raise _Hung
        self.running = None
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _give_up(self, kind: type[LakeError], what: str, tries: int, seconds: float, text: str) -> LakeError:
        if kind is LakeConflictError:
            return LakeConflictError(
                f"could not {what}: conflicting commits, {tries} tries in {seconds:.1f} s: {text}"
            )
        service = {
            CatalogUnavailableError: f"PostgreSQL (the lake's catalog at {self.where})",
            StorageUnavailableError: f"S3 (the lake's data at {self.store.data_path})",
        }.get(kind, "the lake")
        return kind(
            f"could not {what}: {service} did not answer within {self.store.timeout:g} s "
            f"({tries} tries, {seconds:.1f} s): {text}"
        )

    def _diagnose(self) -> type[LakeError]:
        """Which service hung: PostgreSQL if a fresh connection to it fails, else S3."""
        from art.store.lake_pg import CatalogDatabase

        probe = CatalogDatabase(self.pg.conninfo, self.pg.password, connect_timeout=2)
        try:
            probe.run("lake/pg_catalog_exists")
        except Exception:
            return CatalogUnavailableError
        finally:
            probe.close()
        return StorageUnavailableError if self.store.s3 is not None else LakeUnavailableError

    def _transaction(self, work: Callable[[Any], T], lock_key: str | None, deadline: float) -> T:
        with self.pg.lock(lock_key, deadline) if lock_key else nullcontext():
            cur = self.con.cursor()
            try:
                with _watchdog(cur, deadline):
                    cur.begin()
                    result = work(cur)
                    cur.commit()
                    return result
            except BaseException:
                # after a failed COMMIT DuckDB has rolled back already, and rollback() raises
                with suppress(duckdb.Error):
                    cur.rollback()
                raise
            finally:
                cur.close()

    def retry(
        self, work: Callable[[Any], T], lock_key: str | None = None, what: str = "write to the lake"
    ) -> T:
        """Run `work(cursor)` in one transaction (holding the advisory lock `lock_key` if given),
        retried on this connection within the store's timeout."""
        with self.lock:
            return self._call(lambda deadline: self._transaction(work, lock_key, deadline), what)

    def read(self, work: Callable[[Any], T], what: str = "read the lake") -> T:
        """Run `work(cursor)` with the lake in use, retried like a write."""

        def once(deadline: float) -> T:
            cur = self.con.cursor()
            try:
                with _watchdog(cur, deadline):
                    sql.run(cur, "lake/use")
                    return work(cur)
            finally:
                cur.close()

        with self.lock:
            return self._call(once, what)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock:
            cur = self.con.cursor()
            try:
                sql.run(cur, "lake/use")
                yield cur
            finally:
                cur.close()

    def close(self) -> None:
        with suppress(Exception):
            self.pg.close()
        with suppress(Exception):
            self.con.close()

    def __repr__(self) -> str:
        return f"LakeConnection({self.store!r})"


_connections: PerProcess[DuckLakeStore, LakeConnection] = PerProcess(LakeConnection)


@atexit.register
def _close_all() -> None:
    """Close this process's lake connections at exit (PostgreSQL sees a clean goodbye)."""
    for connections in (_readers, _connections):
        if connections.pid == os.getpid():
            for lake in list(connections.items.values()):
                lake.close()


def lake_connection(store: DuckLakeStore) -> LakeConnection:
    """One connection per lake per process: attaching costs about 0.2 s."""
    return _connections.get(store)


def _open_reader(store: DuckLakeStore) -> LakeConnection:
    return LakeConnection(store, reader=True)


_readers: PerProcess[DuckLakeStore, LakeConnection] = PerProcess(_open_reader)


def lake_reader(store: DuckLakeStore) -> LakeConnection:
    """The process's read-only, sandboxed connection to a lake, for SQL typed by a user: the
    lake attached read-only, files only under its data path, no extension or setting changed."""
    return _readers.get(store)


def _folder(data_path: str) -> str:
    """The data path as an allowed folder: ending with `/`, so `s3://b/lake` allows no `lake2`."""
    return data_path if data_path.endswith("/") else data_path + "/"


def check_seconds(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(name, value, "must be an integer >= 0")
    return value
