"""The DuckDB catalog: an index of the files under base_path, rebuilt from them at any time.

The files are the truth. The catalog records how much of each file it has ingested and
catches up with the rest whenever it is opened, so a step is visible to every reader as
soon as `log()` has written its files, and a crash between a file write and a catalog
write loses nothing. No connection is kept between calls: DuckDB lets one process hold a
database file open for writing and that blocks every other process, readers included.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import filelock

from art.errors import CatalogBusyError, CatalogError
from art.store import history, sql
from art.store.paths import catalog_path, is_stale_temp, model_dirs, validate_name

if TYPE_CHECKING:  # pyarrow is imported where it is used: art.connect() needs none of it
    import pyarrow as pa

SCHEMA_QUERIES = ("schema_models", "schema_sources", "schema_trajectory_files", "schema_history")


def history_schema() -> pa.Schema:
    """The long-format history table as Arrow (the catalog's `history` columns)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("project", pa.string()),
            ("model", pa.string()),
            ("split", pa.string()),
            ("step", pa.int64()),
            ("training_step", pa.int64()),
            ("recorded_at", pa.timestamp("us")),
            ("seq", pa.int64()),
            ("metric", pa.string()),
            ("value", pa.float64()),
        ]
    )


DEFAULT_LOCK_TIMEOUT = float(60)
SYNC_INTERVAL = 1.0  # seconds a writer's background catch-up waits to batch log() calls


class CatalogRebuiltWarning(UserWarning):
    """The catalog file could not be opened and was rebuilt from the files."""


def run(con: duckdb.DuckDBPyConnection, name: str, **values: Any) -> duckdb.DuckDBPyConnection:
    """Run a named query, turning DuckDB's error into ours with the query name and a next step."""
    try:
        return sql.run(con, name, **values)
    except duckdb.Error as e:
        raise CatalogError(
            f"catalog query {name!r} failed: {e}. The catalog is an index of the files: "
            f"`art rebuild` recreates it."
        ) from e


@dataclass(frozen=True)
class HistoryProgress:
    """How much of a source file (history.jsonl, model.json) has been ingested: bytes and
    lines, of which file (inode) and version (mtime)."""

    bytes: int
    lines: int
    inode: int
    mtime_ns: int


def _record_source(
    con: duckdb.DuckDBPyConnection, rel: str, project: str, model: str, kind: str, progress: HistoryProgress
) -> None:
    """Remember how far the catalog has ingested a source file."""
    run(
        con,
        "upsert_source",
        path=rel,
        project=project,
        model=model,
        kind=kind,
        bytes=progress.bytes,
        lines=progress.lines,
        inode=progress.inode,
        mtime_ns=progress.mtime_ns,
    )


def insert_history(
    con: duckdb.DuckDBPyConnection, project: str, model: str, rows: list[history.HistoryRow]
) -> None:
    """Append parsed history lines to `con`'s history table, one row per metric."""
    import pyarrow as pa

    schema = history_schema()
    cols: dict[str, list[Any]] = {name: [] for name in schema.names}
    for r in rows:
        ts = history.parse_recorded_at(r.recorded_at)
        for metric, value in r.metrics.items():
            cols["project"].append(project)
            cols["model"].append(model)
            cols["split"].append(r.split)
            cols["step"].append(r.step)
            cols["training_step"].append(r.training_step)
            cols["recorded_at"].append(ts)
            cols["seq"].append(r.seq)
            cols["metric"].append(metric)
            cols["value"].append(value)
    insert_history_table(con, pa.Table.from_pydict(cols, schema=schema))


def insert_history_table(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    con.register("new_history", table)
    try:
        run(con, "insert_history")
    finally:
        con.unregister("new_history")


def catch_up_history(
    con: duckdb.DuckDBPyConnection, project: str, model: str, path: Path, known: HistoryProgress | None
) -> HistoryProgress | None:
    """Ingest the complete lines of `path` past `known` into `con`'s history table.

    A file that shrank or was replaced (another inode) is ingested again from the start.
    Returns the new progress, or None when the file is gone (its rows are then dropped).
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        if known is not None:
            run(con, "delete_model_history", project=project, model=model)
        return None
    offset, lines = 0, 0
    if known is not None:
        if known.inode == st.st_ino and st.st_size >= known.bytes:
            if st.st_size == known.bytes:
                return known
            offset, lines = known.bytes, known.lines
        else:
            run(con, "delete_model_history", project=project, model=model)
    rows, new_offset, n = history.read_from(path, offset, lines)
    if rows:
        insert_history(con, project, model, rows)
    return HistoryProgress(new_offset, lines + n, st.st_ino, st.st_mtime_ns)


@dataclass(frozen=True)
class FileStats:
    rows: int | None
    groups: int | None
    trajectories: int | None
    exceptions: int | None
    format_version: int | None
    error: str | None


def file_stats(path: Path) -> FileStats:
    """Counts for the catalog from the footer and two small columns; unreadable: an error text."""
    import pyarrow.parquet as pq

    from art.store.parquet import COUNT_KEYS, file_version

    try:
        pf = pq.ParquetFile(path)
        version = file_version(pf.schema_arrow, path)
        meta = pf.schema_arrow.metadata or {}
        if version == 2 and all(key in meta for key in COUNT_KEYS.values()):
            groups, trajectories, exceptions = (
                int(meta[COUNT_KEYS[k]]) for k in ("groups", "trajectories", "exceptions")
            )
            return FileStats(pf.metadata.num_rows, groups, trajectories, exceptions, 2, None)
        if version == 2:
            t = pf.read(columns=["group_index", "trajectory_index", "group_json"])
            first: dict[int, str] = {}
            for gi, gj in zip(t["group_index"].to_pylist(), t["group_json"].to_pylist(), strict=True):
                first.setdefault(gi, gj)
            exceptions = sum(len(json.loads(gj).get("exceptions", [])) for gj in first.values())
            return FileStats(
                pf.metadata.num_rows,
                len(first),
                t.num_rows - t["trajectory_index"].null_count,
                exceptions,
                2,
                None,
            )
        t = pf.read(columns=["group_index"])
        groups = len(set(t["group_index"].to_pylist()))
        return FileStats(pf.metadata.num_rows, groups, pf.metadata.num_rows, None, 1, None)
    except Exception as e:
        return FileStats(None, None, None, None, None, f"{type(e).__name__}: {e}")


def _trajectory_files(model_dir: Path) -> Iterator[tuple[str, int, Path]]:
    root = model_dir / "trajectories"
    if not root.is_dir():
        return
    for split_dir in sorted(root.iterdir()):
        if not split_dir.is_dir() or split_dir.is_symlink():
            continue
        try:
            validate_name("split", split_dir.name)
        except ValueError:
            continue
        for f in sorted(split_dir.iterdir()):
            if f.suffix == ".parquet" and f.stem.isdigit() and f.is_file():
                yield split_dir.name, int(f.stem), f
            elif is_stale_temp(f):
                f.unlink(missing_ok=True)


class Catalog:
    """Short-lived connections to `BASE/catalog.duckdb`, each under a reader/writer file lock."""

    def __init__(self, base_path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.base_path = Path(base_path)
        self.path = catalog_path(self.base_path)
        self.lock_path = self.base_path / "catalog.lock"
        self.lock_timeout = lock_timeout
        self._pending: set[tuple[str, str]] = set()
        self._pending_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._wake = threading.Event()
        self.sync_interval = SYNC_INTERVAL

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """The catalog's write lock; the holder leaves its pid and host beside it for errors."""
        self.base_path.mkdir(parents=True, exist_ok=True)
        lock = filelock.ReadWriteLock(self.lock_path, is_singleton=False)
        holder = self.lock_path.with_name("catalog.lock.holder")
        try:
            with lock.write_lock(timeout=self.lock_timeout):
                holder.write_text(f"pid {os.getpid()} on {socket.gethostname()}")
                yield
        except filelock.Timeout as e:
            try:
                who = holder.read_text()
            except OSError:
                who = "unknown"
            raise CatalogBusyError(
                f"could not lock {self.lock_path} within {self.lock_timeout:g} s; last holder: "
                f"{who}. Try again, or give Catalog a longer lock_timeout"
            ) from e
        finally:
            lock.close()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Open read-write; a damaged catalog file is moved aside and rebuilt from the files."""
        try:
            con = duckdb.connect(str(self.path))
        except duckdb.Error as e:
            if "lock" in str(e).lower():
                raise CatalogBusyError(f"{self.path} is held open by another process: {e}") from e
            aside = self.path.with_name(f"catalog.duckdb.damaged-{int(time.time())}")
            os.replace(self.path, aside)
            wal = self.path.with_name("catalog.duckdb.wal")
            if wal.exists():
                os.replace(wal, aside.with_name(aside.name + ".wal"))
            warnings.warn(
                f"the catalog could not be opened ({e}); moved it to {aside.name} and rebuilt it "
                f"from the files",
                CatalogRebuiltWarning,
                stacklevel=3,
            )
            con = duckdb.connect(str(self.path))
        for name in SCHEMA_QUERIES:
            run(con, name)
        return con

    @contextmanager
    def writing(self, models: list[tuple[str, str]] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection caught up with the files (all models, or the given ones).

        Held with the write lock and closed on exit: keep the work inside short.
        """
        with self._write_lock():
            con = self._open()
            try:
                con.begin()
                self._sync(con, models)
                con.commit()
                yield con
            finally:
                con.close()

    def sync(self, models: list[tuple[str, str]] | None = None) -> None:
        """Ingest what the files hold beyond what the catalog has (all models, or those given)."""
        with self.writing(models):
            pass

    def snapshot_file(self) -> Path:
        """A private copy of the caught-up catalog file, taken under the lock (a few ms).

        The caller opens it read-only and deletes it: readers of the copy hold no lock on
        the real catalog, so they never block a writer, however long they keep it open.
        """
        with self._write_lock():
            con = self._open()
            try:
                con.begin()
                self._sync(con, None)
                con.commit()
                con.execute("CHECKPOINT")
            finally:
                con.close()
            fd, name = tempfile.mkstemp(prefix="art-snapshot-", suffix=".duckdb")
            os.close(fd)
            shutil.copyfile(self.path, name)
            wal = self.path.with_name(self.path.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, name + ".wal")
        return Path(name)

    def rebuild(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Recreate the catalog from the files alone; returns the number of models found.

        `progress(model_dir, done, total)` is called after each model is ingested.
        """
        with self._write_lock():
            for p in (self.path, self.path.with_name("catalog.duckdb.wal")):
                p.unlink(missing_ok=True)
            con = self._open()
            try:
                con.begin()
                n = self._sync(con, None, progress)
                con.commit()
            finally:
                con.close()
        return n

    # -- background catch-up for writers -------------------------------------------------

    def sync_soon(self, project: str, model: str) -> None:
        """Catch the catalog up with a model from a background thread (readers also catch up)."""
        with self._pending_lock:
            self._pending.add((project, model))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._drain, name="art-catalog", daemon=True)
                self._worker.start()
                _live_catalogs.add(self)

    def _drain(self) -> None:
        while True:
            # Coalesce: one catch-up covers every log() of the last moment. Readers catch
            # up by themselves, so this only keeps their catch-up short.
            self._wake.wait(self.sync_interval)
            with self._pending_lock:
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
        """Run the pending background catch-up now and wait for it to finish."""
        worker = self._worker
        if worker is not None:
            self._wake.set()
            worker.join(timeout)
            self._wake.clear()

    # -- ingest ----------------------------------------------------------------------------

    def _sync(
        self,
        con: duckdb.DuckDBPyConnection,
        only: list[tuple[str, str]] | None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> int:
        found = {(p, m): d for p, m, d in model_dirs(self.base_path)}
        known_models = set(run(con, "list_models").fetchall())
        if only is None:
            for project, model in known_models:
                if (project, model) not in found:
                    for q in (
                        "forget_model",
                        "forget_model_files",
                        "forget_model_sources",
                        "delete_model_history",
                    ):
                        run(con, q, project=project, model=model)
            targets = found
        else:
            targets = {key: found[key] for key in only if key in found}
        for i, ((project, model), model_dir) in enumerate(targets.items()):
            self._sync_model(con, project, model, model_dir, (project, model) in known_models)
            if progress is not None:
                progress(f"{project}/{model}", i + 1, len(targets))
        return len(targets)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.base_path).as_posix()

    def _sync_model(
        self,
        con: duckdb.DuckDBPyConnection,
        project: str,
        model: str,
        model_dir: Path,
        known_model: bool,
    ) -> None:
        sources = {
            row[0]: row[1:] for row in run(con, "sources_of_model", project=project, model=model).fetchall()
        }
        self._sync_model_json(con, project, model, model_dir, sources, known_model)
        self._sync_history(con, project, model, model_dir, sources)
        self._sync_files(con, project, model, model_dir)

    def _sync_model_json(
        self,
        con: duckdb.DuckDBPyConnection,
        project: str,
        model: str,
        model_dir: Path,
        sources: dict[str, tuple[Any, ...]],
        known_model: bool,
    ) -> None:
        path = model_dir / "model.json"
        rel = self._rel(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            st = None
        known = sources.get(rel)
        if known is not None and st is not None and known[4] == st.st_mtime_ns and known[1] == st.st_size:
            return
        if known is None and st is None and known_model:
            return
        doc: dict[str, Any] = {}
        text = None
        if st is not None:
            try:
                text = path.read_text(encoding="utf-8")
                loaded = json.loads(text)
                doc = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                doc = {}
        run(
            con,
            "upsert_model",
            project=project,
            model=model,
            trainable=bool(doc.get("trainable", False)),
            base_model=doc.get("base_model") if isinstance(doc.get("base_model"), str) else None,
            model_json=text,
        )
        if st is not None:
            progress = HistoryProgress(st.st_size, 0, st.st_ino, st.st_mtime_ns)
            _record_source(con, rel, project, model, "model_json", progress)

    def _sync_history(
        self,
        con: duckdb.DuckDBPyConnection,
        project: str,
        model: str,
        model_dir: Path,
        sources: dict[str, tuple[Any, ...]],
    ) -> None:
        path = model_dir / "history.jsonl"
        rel = self._rel(path)
        row = sources.get(rel)
        known = HistoryProgress(*row[1:]) if row is not None and row[3] else None
        new = catch_up_history(con, project, model, path, known)
        if new == known:
            return
        _record_source(con, rel, project, model, "history", new or HistoryProgress(0, 0, 0, 0))

    def model_history(self, project: str, model: str) -> tuple[pa.Table, HistoryProgress | None]:
        """One model's history rows and how far into its history.jsonl they go, consistently."""
        with self.writing([(project, model)]) as con:
            table = run(con, "model_history", project=project, model=model).to_arrow_table()
            rel = f"{project}/models/{model}/history.jsonl"
            rows = {
                r[0]: r[1:] for r in run(con, "sources_of_model", project=project, model=model).fetchall()
            }
        row = rows.get(rel)
        return table, HistoryProgress(*row[1:]) if row is not None and row[3] else None

    def _sync_files(self, con: duckdb.DuckDBPyConnection, project: str, model: str, model_dir: Path) -> None:
        known = {
            path: (size, mtime)
            for path, size, mtime in run(con, "files_of_model", project=project, model=model).fetchall()
        }
        seen: set[str] = set()
        for split, step, f in _trajectory_files(model_dir):
            rel = self._rel(f)
            seen.add(rel)
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            if known.get(rel) == (st.st_size, st.st_mtime_ns):
                continue
            s = file_stats(f)
            run(
                con,
                "upsert_file",
                path=rel,
                project=project,
                model=model,
                split=split,
                step=step,
                rows=s.rows,
                groups=s.groups,
                trajectories=s.trajectories,
                exceptions=s.exceptions,
                bytes=st.st_size,
                mtime_ns=st.st_mtime_ns,
                format_version=s.format_version,
                error=s.error,
            )
        for rel in known.keys() - seen:
            run(con, "delete_file", path=rel)


_live_catalogs: set[Catalog] = set()


@atexit.register
def _flush_all() -> None:
    for catalog in list(_live_catalogs):
        catalog.flush(timeout=10)


_catalogs: dict[Path, Catalog] = {}
_catalogs_lock = threading.Lock()


def catalog_for(base_path: str | Path) -> Catalog:
    """One Catalog object per base path in a process, so background catch-ups coalesce."""
    key = Path(base_path).absolute()
    with _catalogs_lock:
        if key not in _catalogs:
            _catalogs[key] = Catalog(base_path)
        return _catalogs[key]


def rebuild(base_path: str | Path = ".art", progress: Callable[[str, int, int], None] | None = None) -> int:
    """Recreate `BASE/catalog.duckdb` from the files alone (also reads stores written by ART).

    Returns the number of models found."""
    return catalog_for(base_path).rebuild(progress)
