"""A reader's private copy of the catalog file, attached read-only instead of copied row by row.

Copying the catalog's rows into memory cost ~30 ms per open at 5,000 steps (~45 ms with 200
models): O(files), on every open. Instead the file's bytes are copied (~1 ms for 3 MB) into an
anonymous memory file (memfd: no name in any folder, gone with the process, so a killed
reader leaves nothing behind) under the same POSIX shared lock DuckDB takes on the file (a
writer's open fails and retries for those few ms, as against DuckDB's own read-only open),
and the copy is attached read-only as `art_catalog`: nothing is ever written to it (no WAL).

No table is copied into memory: `sources` (how far each file was read) and the models'
names are read once per copy for the catch-up, which records no progress (a reader catches
up once and is gone: its in-memory catalog is never caught up again), and kept with the
copy. models, trajectory_files and history are read from the snapshot in place
(local/view_snapshot_*), except for the models the reader's catch-up changes: `changing()`
first copies those models' rows into memory (O(changes), not O(files)); lines appended to a
history.jsonl are only added in memory.
The snapshot is never the default database and never on the search path: a macro in a
crafted file (named `avg`, say) is never resolved by our SQL or the user's; its tables and
their columns are checked as before (local/catalog_tables).

Where this is not possible (no memfd, or a WAL beside the catalog: a writer died before its
checkpoint, and only DuckDB's own open can replay it), the rows are copied (copy_into).
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from art.errors import CatalogBusyError, CatalogError, OutsideStoreError
from art.store.catalog_file import catalog_check, literal, why_not_used
from art.store.sql import run_checked as run

NOT_TAKEN = "not taken"  # no snapshot possible here: the caller copies the rows instead
# what a catch-up starts from: the catalog's sources rows (local/all_sources' columns) by
# model (ingest.sources_by_model) and its models (project, model); only read, never changed
Recorded = tuple[dict[tuple[str, str], dict[str, tuple[Any, ...]]], list[tuple[str, str]]]


class Snapshot:
    """The attached snapshot of one reader connection, and the models its catch-up took over."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        copy: _Copy | None = None,
        recorded: Recorded | None = None,
    ) -> None:
        self.con = con
        self.copy = copy
        self.recorded = recorded or ({}, [])
        self.taken: set[tuple[str, str, str]] = set()

    def recorded_sources(self) -> dict[tuple[str, str], dict[str, tuple[Any, ...]]]:
        """The snapshot's `sources` rows by model, read when it was attached."""
        return self.recorded[0]

    def recorded_models(self) -> list[tuple[str, str]]:
        """The snapshot's models (project, model), read when it was attached."""
        return self.recorded[1]

    def index(self, base: str) -> Any:
        """What the previous open over this same copy derived from its file rows (local_views'
        FileIndex), when the catch-up has changed none of them; else None."""
        copy = self.copy
        if copy is None or copy.index is None or copy.index[0] != base or self._files_taken():
            return None
        return copy.index[1]

    def keep_index(self, base: str, index: Any) -> None:
        """Keep what was derived from the copy's file rows for the next open (only when the
        catch-up changed none of them)."""
        if self.copy is not None and not self._files_taken():
            self.copy.index = (base, index)

    def _files_taken(self) -> bool:
        """The catch-up changed some model's file rows (they are in memory, not the copy's)."""
        return any(rows == "files" for _, _, rows in self.taken)

    def changing(self, project: str, model: str, rows: str) -> None:
        """Move a model's "files", "history" or "models" rows into memory before the catch-up
        reads or changes them (once per model)."""
        if (project, model, rows) in self.taken:
            return
        self.taken.add((project, model, rows))
        run(self.con, f"local/take_model_{rows}", project=project, model=model)
        run(self.con, "local/take_model", project=project, model=model, rows=rows)

    def recorded_files(self, project: str, model: str, prefix: str) -> list[tuple[str, int, int]]:
        """The files recorded under `prefix` (path, bytes, mtime_ns), from memory when the
        model's rows were taken, else read in the snapshot: a folder listed again only to find
        it as recorded (one written in the last seconds) costs no copy of the model's rows."""
        taken = (project, model, "files") in self.taken
        name = "local/files_under" if taken else "local/snapshot_files_under"
        return run(self.con, name, prefix=prefix).fetchall()

    def record(self, rel: str, project: str, model: str, kind: str, progress: Any) -> None:
        """A reader records no progress: its catch-up runs once, and nothing reads it after."""

    def listed_before(self, rel_dir: str, inode: int, mtime_ns: int) -> bool:
        """An earlier open over this same copy listed the folder, as it is now, after its mtime
        had settled, and found it as the copy records it (a folder the copy holds as not
        settled, as the last one a writer touched before it stopped, is listed once per
        process, not on every open)."""
        return self.copy is not None and self.copy.listed.get(rel_dir) == (inode, mtime_ns)

    def found_as_recorded(self, rel_dir: str, inode: int, mtime_ns: int) -> None:
        if self.copy is not None:
            self.copy.listed[rel_dir] = (inode, mtime_ns)

    def quiet_models(self) -> dict[tuple[str, str], Any] | None:
        """The models an earlier open over this same copy found needing nothing, with what it
        saw of their files (ingest.model_key): one found so again is passed over whole."""
        return self.copy.quiet if self.copy is not None else None

    def found_quiet(self, project: str, model: str, key: Any) -> None:
        """Kept for the next open over this copy, unless this catch-up took any of its rows."""
        if self.copy is not None and not any(
            (project, model, rows) in self.taken for rows in ("files", "history", "models")
        ):
            self.copy.quiet[(project, model)] = key

    def views(self) -> list[str]:
        """The queries that make `models`, `trajectory_files` and `history` over memory and the
        snapshot (temp views, which the public views and file_index resolve before the
        in-memory tables), for the caller to run with its own."""
        kinds = {rows for _, _, rows in self.taken}
        return [
            f"local/view_snapshot_{rows}" + ("" if rows in kinds else "_all")
            for rows in ("models", "files", "history")
        ]


class _Copy:
    """A settled catalog's copy, kept for the next open in this process while the file is
    unchanged (same device, inode, size, mtime and ctime), with its check's result."""

    __slots__ = ("checked", "index", "key", "listed", "mem", "quiet", "recorded")

    def __init__(self, key: tuple[int, ...], mem: int) -> None:
        self.key = key
        self.mem = mem
        self.checked = False
        self.recorded: Recorded | None = None  # its sources rows and models, read once
        self.index: tuple[str, Any] | None = None  # (base, local_views.FileIndex) of the last open
        # split folder -> (inode, mtime) when a listing after its mtime settled found it as recorded
        self.listed: dict[str, tuple[int, int]] = {}
        # (project, model) -> ingest.model_key when an open found the model needing nothing
        self.quiet: dict[tuple[str, str], Any] = {}


_copies: dict[Path, _Copy] = {}
_copies_lock = threading.Lock()


def _reset_in_child() -> None:
    """A forked child gets its own lock: one held by another thread at the fork stays held in
    the child for good (no thread there would release it), and every open would wait on it.
    The kept copies are the child's descriptors too, so they stay."""
    global _copies_lock
    _copies_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_in_child)
SETTLE_NS = 2_000_000_000
MAX_COPY_BYTES = 256 << 20  # a larger catalog (or a sparse one) is read through DuckDB's own open
KEPT_COPIES = 4  # copies kept per process, one per store


def _copy_locked(path: Path, timeout: float) -> tuple[_Copy, int] | None:
    """A memfd holding the catalog's bytes, copied under a POSIX shared lock on the file;
    None when there is no file, or a WAL beside it. Waits while a writer holds it open."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as e:
            if e.errno == errno.ELOOP:  # replaced by a link since the caller looked
                raise OutsideStoreError(path, "is a symbolic link") from e
            return None  # gone, or not ours to read: DuckDB's own open says why (copy_into)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EAGAIN):
                    return None  # no POSIX locks here: DuckDB's own open (copy_into)
                if time.monotonic() > deadline:
                    raise CatalogBusyError(f"{path} stayed open by a writer for {timeout:g} s") from e
            else:
                # held: no writer has the file open, so the file and its WAL stand still
                if os.path.lexists(path.with_name(path.name + ".wal")):
                    return None
                st = os.fstat(fd)
                if st.st_size > MAX_COPY_BYTES or st.st_blocks * 512 < st.st_size // 2:
                    return None  # a huge or sparse file: DuckDB's own open reads only what it needs
                return _copy_of(path, fd)
        finally:
            os.close(fd)  # releases the lock (the caller keeps this process's writers out)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _copy_of(path: Path, fd: int) -> tuple[_Copy, int]:
    """The kept copy when the file is as it was then, else a new copy (kept when settled:
    a write within the same clock tick as the one seen could leave mtime and ctime as they
    were, so only a file unchanged for SETTLE_NS is trusted by its stat); with a descriptor
    of it that is the caller's to close (another thread may drop the kept one meanwhile)."""
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    with _copies_lock:
        kept = _copies.get(path)
        if kept is not None and kept.key == key:
            return kept, os.dup(kept.mem)
    copy = _Copy(key, _to_memfd(fd, st.st_size))
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) <= SETTLE_NS:
        return copy, copy.mem
    with _copies_lock:
        old = _copies.pop(path, None)
        if old is not None:
            os.close(old.mem)
        while len(_copies) >= KEPT_COPIES:  # the oldest kept copy goes (a dashboard over many stores)
            os.close(_copies.pop(next(iter(_copies))).mem)
        _copies[path] = copy
        return copy, os.dup(copy.mem)


def _to_memfd(fd: int, size: int) -> int:
    mem = os.memfd_create("art-catalog", os.MFD_CLOEXEC)
    try:
        done = 0
        while done < size:
            n = os.sendfile(mem, fd, done, size - done)
            if n == 0:
                break  # the file shrank: DuckDB's open of the copy reports it damaged
            done += n
        return mem
    except BaseException:
        os.close(mem)
        raise


def attach_snapshot(con: duckdb.DuckDBPyConnection, path: Path, timeout: float) -> Snapshot | str:
    """Attach a private copy of the catalog at `path` to `con` (which has the reader's schema,
    catalog_file.create_reader_schema) and read
    what the catch-up starts from (once per copy); returns the Snapshot, NOT_TAKEN, or why
    the file is not used."""
    if not hasattr(os, "memfd_create"):
        return NOT_TAKEN
    got = _copy_locked(path, timeout)
    if got is None:
        return NOT_TAKEN
    copy, mem = got
    try:
        con.execute(f"ATTACH {literal(Path(f'/proc/self/fd/{mem}'))} AS art_catalog (READ_ONLY)")
    except duckdb.Error as e:
        text = str(e).splitlines()[0]
        for alias in (f"/proc/self/fd/{mem}", f"/proc/{os.getpid()}/fd/{mem}"):
            text = text.replace(alias, f"a copy of {path}")
        return f"could not be opened ({text})"
    finally:
        os.close(mem)  # DuckDB holds its own descriptor of the copy
    try:
        if not copy.checked:
            odd = catalog_check(con)
            if odd:
                run(con, "local/detach_catalog")
                return why_not_used(odd)
            broken = run(con, "local/snapshot_verify").fetchone()[0]  # damage shows here
            if broken:
                run(con, "local/detach_catalog")
                return f"could not be read ({broken} rows break its NOT NULL or key constraints)"
            copy.checked = True
        if copy.recorded is None:  # the same bytes hold the same rows: read once per copy
            from art.store.ingest import sources_by_model

            copy.recorded = (
                sources_by_model(run(con, "local/snapshot_all_sources").fetchall()),
                run(con, "local/snapshot_list_models").fetchall(),
            )
    except (duckdb.Error, CatalogError) as e:  # run_checked raises CatalogError
        run(con, "local/detach_catalog")
        return f"could not be read ({str(e).splitlines()[0]})"
    return Snapshot(con, copy, copy.recorded)
