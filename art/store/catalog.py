"""The DuckDB catalog file: an index of the files under base_path, rebuilt from them at any time.

The files are the truth. The catalog records how much of each file it has ingested and
catches up with the rest whenever it is opened (see `ingest`), so a step is visible to every
reader as soon as `log()` has written its files, and a crash between a file write and a
catalog write loses nothing. No connection is kept between calls: DuckDB lets one process
hold a database file open for writing and that blocks every other process, readers included.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from art.errors import CatalogBusyError, CatalogPathError
from art.store.catalog_file import (
    CatalogDamagedWarning,
    copy_into,
    create_schema,
    unexpected_objects,
)
from art.store.catalog_snapshot import NOT_TAKEN, Snapshot, attach_snapshot
from art.store.catch_up import CatchUp, CatchUpCancelled
from art.store.confined import check_not_link, folder, replace_file
from art.store.ingest import sync_models
from art.store.own_files import OwnFile, Pending, merge
from art.store.paths import catalog_path, keeps_no_catalog, remember
from art.store.sql import run_checked as run

DEFAULT_LOCK_TIMEOUT = float(60)


class CatalogRebuiltWarning(CatalogDamagedWarning):
    """The catalog file could not be opened and was rebuilt from the files."""


class NoCatalogWarning(UserWarning):
    """The store's path rules out a catalog: opens index the files each time (slower)."""


def _write_holder(holder: Path) -> None:
    with folder(holder.parent, ()) as dir_fd:
        text = f"pid {os.getpid()} on {socket.gethostname()}".encode()
        replace_file(dir_fd, holder.name, text, holder, durable=False)


class Catalog:
    """Short-lived connections to `BASE/catalog.duckdb`, each under a reader/writer file lock."""

    def __init__(self, base_path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.base_path = Path(base_path)
        self.path = catalog_path(self.base_path)
        self.lock_path = self.base_path / "catalog.lock"
        self.lock_timeout = lock_timeout
        self.catch_up = CatchUp(self._catch_up, merge)
        # DuckDB's file lock is per process: threads of one process take turns here instead.
        self.in_process = threading.RLock()
        self.unusable = keeps_no_catalog(self.base_path)
        self.told = False

    @contextmanager
    def _write_lock(self, cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
        """The catalog's write lock; the holder leaves its pid and host beside it for errors.

        An flock (filelock.FileLock), not filelock's SQLite ReadWriteLock: a child forked while
        a parent's thread held that one can never use it again; an flock's inherited copy is
        closed in the child by filelock, and the child takes its own. A wait that `cancelled()`
        ends raises CatchUpCancelled.
        """
        import filelock  # here, not at the top: readers never take this lock (~25-40 ms to import)

        self.base_path.mkdir(parents=True, exist_ok=True)
        check_not_link(self.lock_path)
        lock = filelock.FileLock(self.lock_path, is_singleton=False)
        holder = self.lock_path.with_name("catalog.lock.holder")
        try:
            with lock.acquire(timeout=self.lock_timeout, cancel_check=cancelled), self.in_process:
                _write_holder(holder)
                yield
        except filelock.Timeout as e:
            if cancelled is not None and cancelled():
                raise CatchUpCancelled from e
            try:
                who = holder.read_text()
            except OSError:
                who = "unknown"
            raise CatalogBusyError(
                f"could not lock {self.lock_path} within {self.lock_timeout:g} s; last holder: "
                f"{who}. Try again, or give Catalog a longer lock_timeout"
            ) from e

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open read-write, waiting while a reader copies from the file (a few ms)."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as e:
                if "Conflicting lock" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _move_aside(self, why: str) -> None:
        aside = self.path.with_name(f"catalog.duckdb.damaged-{time.time_ns()}")
        os.replace(self.path, aside)
        wal = self.path.with_name("catalog.duckdb.wal")
        if wal.exists():
            os.replace(wal, aside.with_name(aside.name + ".wal"))
        warnings.warn(
            f"the catalog {why}; moved it to {aside.name} and rebuilt it from the files",
            CatalogRebuiltWarning,
            stacklevel=4,
        )

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Open read-write; a damaged catalog file, or one holding objects we did not create
        (a view, a macro), is moved aside and rebuilt from the files.

        DuckDB opens files by name, so the catalog and its WAL are checked not to be links.
        """
        check_not_link(self.path)
        check_not_link(self.path.with_name("catalog.duckdb.wal"))
        try:
            con = self._connect()
        except duckdb.Error as e:
            if "lock" in str(e).lower():
                raise CatalogBusyError(f"{self.path} is held open by another process: {e}") from e
            self._move_aside(f"could not be opened ({e})")
            con = duckdb.connect(str(self.path))
        odd = unexpected_objects(con, "catalog")
        if odd:
            con.close()
            self._move_aside("holds objects this library did not create: " + "; ".join(odd[:5]))
            con = duckdb.connect(str(self.path))
        create_schema(con)
        return con

    @contextmanager
    def writing(
        self,
        models: list[tuple[str, str]] | None = None,
        cancelled: Callable[[], bool] | None = None,
        own: dict[tuple[str, str], list[OwnFile]] | None = None,
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection caught up with the files (all models, or the given ones).

        Held with the write lock and closed on exit: keep the work inside short. When
        `cancelled()` turns true the catch-up stops, uncommitted, with CatchUpCancelled.
        `own`: models whose only file changes since the catalog last caught up with them are
        the files this process wrote (art/store/own_files.py).
        """
        if self.unusable:
            raise CatalogPathError(self.base_path)
        with self._write_lock(cancelled):
            con = self._open()
            try:
                con.begin()
                sync_models(con, self.base_path, models, cancelled=cancelled, own=own)
                con.commit()
                yield con
            finally:
                con.close()

    def sync(
        self, models: list[tuple[str, str]] | None = None, cancelled: Callable[[], bool] | None = None
    ) -> None:
        """Ingest what the files hold beyond what the catalog has (all models, or those given)."""
        with self.writing(models, cancelled):
            pass

    def _catch_up(self, batch: dict[tuple[str, str], Pending], cancelled: Callable[[], bool]) -> None:
        if not self.base_path.is_dir():
            return  # the store was deleted since these steps were logged: none to recreate
        own = {key: files for key, files in batch.items() if files is not None}
        with self.writing(list(batch), cancelled, own):
            pass

    def sync_soon(self, project: str, model: str, written: list[OwnFile] | None = None) -> None:
        """Catch up with a model from a background thread (readers also catch up by themselves);
        where the store cannot have a catalog, say so once instead.

        `written`: the files this call wrote (None: changes the catalog must look for)."""
        if not self.unusable:
            self.catch_up.soon(project, model, written)
        elif not self.told:
            self.told = True
            warnings.warn(str(CatalogPathError(self.base_path)), NoCatalogWarning, stacklevel=2)

    def flush(self, timeout: float | None = None) -> None:
        """Run the pending background catch-up now and wait for it to finish."""
        self.catch_up.flush(timeout)

    def read_into(self, con: duckdb.DuckDBPyConnection) -> Snapshot | None:
        """Give `con` (an in-memory database with the schema) the catalog's rows without
        writing into the store: a private snapshot attached read-only (returned), or else the
        rows copied; a damaged catalog is ignored (the caller catches up from the files)."""
        check_not_link(self.path)  # a catalog linked out of the store is never read or written
        with self.in_process:  # POSIX locks are per process: our own writers wait here
            got = attach_snapshot(con, self.path, self.lock_timeout)
            if isinstance(got, Snapshot):
                return got
            why = copy_into(con, self.path, self.lock_timeout) if got == NOT_TAKEN else got
        if why is not None:
            for table in ("models", "sources", "trajectory_files", "history"):
                run(con, f"local/clear_{table}")
            warnings.warn(
                f"the catalog {self.path} is not used: {why}. Read from the files alone; "
                f"the next writer moves it aside and it is rebuilt",
                CatalogDamagedWarning,
                stacklevel=3,
            )
        return None

    def rebuild(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Recreate the catalog from the files alone; returns the number of models found.

        `progress(model_dir, done, total)` is called after each model is ingested.
        """
        if self.unusable:
            raise CatalogPathError(self.base_path)
        with self._write_lock():
            for p in (self.path, self.path.with_name("catalog.duckdb.wal")):
                p.unlink(missing_ok=True)
            con = self._open()
            try:
                con.begin()
                n = sync_models(con, self.base_path, None, progress)
                con.commit()
            finally:
                con.close()
        return n


_catalogs: dict[Path, Catalog] = {}
# (absolute path as given, the folder's device and inode) -> its Catalog: a log() call asks for
# its store's Catalog on every step, and os.path.realpath (an lstat per path component) cost
# ~40 us of it. The folder's identity stands in for its real path: a link pointed elsewhere,
# or a folder made anew, misses and is resolved again; a hit is checked against the real
# folder it was resolved to (one stat), since a deleted folder's inode is soon reused.
_by_spelling: dict[tuple[str, int, int], tuple[Catalog, Path]] = {}
_catalogs_lock = threading.Lock()


def catalog_for(base_path: str | Path) -> Catalog:
    """One Catalog object per base path in a process, so background catch-ups coalesce."""
    path = Path(base_path).absolute()  # absolute: a later chdir must not move the catalog
    try:
        st = os.stat(path)
        spelling: tuple[str, int, int] | None = (str(path), st.st_dev, st.st_ino)
    except OSError:
        spelling = None
    with _catalogs_lock:
        hit = _by_spelling.get(spelling) if spelling is not None else None
    # a hit counts only while its real folder is still this one: a folder's inode is reused
    # once it is deleted, so a link pointed at a store made since (or at the store renamed)
    # would be handed the old folder's Catalog, not the one its other spellings share
    if hit is not None and _same_folder(hit[1], st):
        return hit[0]
    # keyed by the real folder: two spellings of one store (a link, `..`) share one Catalog and
    # so one in-process lock; POSIX file locks are per process, and a reader closing its
    # descriptor would drop the lock a writer of this process holds through another spelling
    key = Path(os.path.realpath(path))
    with _catalogs_lock:
        if key not in _catalogs:
            _catalogs[key] = Catalog(path)
        if spelling is not None:
            remember(_by_spelling, spelling, (_catalogs[key], key))
        return _catalogs[key]


def _same_folder(real: Path, st: os.stat_result) -> bool:
    try:
        return os.path.samestat(os.lstat(real), st)  # lstat: a folder swapped for a link misses
    except OSError:
        return False


def _reset_in_child() -> None:
    """A forked child gets its own Catalog objects (and background catch-ups)."""
    global _catalogs_lock
    _catalogs.clear()
    _by_spelling.clear()
    _catalogs_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_in_child)


def rebuild(base_path: str | Path = ".art", progress: Callable[[str, int, int], None] | None = None) -> int:
    """Recreate `BASE/catalog.duckdb` from the files alone (also reads stores written by ART).

    Returns the number of models found."""
    return catalog_for(base_path).rebuild(progress)
