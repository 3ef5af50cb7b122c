"""What the catalog knows of many trajectory files at once, in a few DuckDB statements.

A store written by openpipe-art has no catalog of ours: its first open meets every file at
once, and reading each one in full (file_stats) cost seconds for 2,000 steps. Here one
statement counts rows, groups, trajectories and exceptions of a thousand files, and one more
reads their footers' markers (cached by the first, so each footer is parsed once).

How damage is still found:
- Files our writer wrote carry page CRCs and our counts in their footer: they still go
  through `file_stats`, which decodes every page and checks its CRC (a damaged page is
  flagged, never served).
- openpipe-art's files have no page CRCs, so a full decode could only catch a page that fails
  to decompress, at the price of reading every byte. Here their footers are read (a truncated
  or garbage file fails there) and the group_index, trajectory_index and group_json pages are
  decoded in full (DuckDB checks each page's value count against the footer). A damaged
  page in another column is found by the query that reads it, not here: so only readers
  (in-memory catalogs, gone with the connection) count in bulk; a writer, whose catalog keeps
  what it found, sends every file through `file_stats`. v1 files and any file with an odd
  marker go to `file_stats`, as do fewer than FEW new files (no DuckDB to start).
- A statement fails as a whole when one file in it is unreadable: the list is halved until
  each failing file is alone, and that file goes to `file_stats`, which records why.
The reads run in a private in-memory DuckDB, so neither its footer cache (about 30 kB a file,
for the second statement) nor a failed statement touches the caller's connection or transaction.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from art.store.file_stats import FileStats, file_stats
from art.store.sql import run

BATCH = 1024  # files per statement: a cancelled catch-up stops between batches
FEW = 8  # fewer new files than this are read one by one (file_stats): no DuckDB to start


def bulk_file_stats(paths: list[Path], check: Callable[[], None], bulk: bool = True) -> dict[Path, FileStats]:
    """Stats for every path; `check()` is called between batches (it may raise to stop).
    `bulk=False` (a writer, whose catalog keeps what it found): every file through file_stats."""
    out: dict[Path, FileStats] = {}
    if bulk and len(paths) >= FEW:
        # a private in-memory DuckDB: its settings (a footer cache) and failed statements
        # stay out of the caller's connection and transaction; it never spills to disk (a
        # reader writes nothing, not even temp files)
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "temp_directory": ""})
        try:
            run(con, "local/bulk_reader_settings")
            for i in range(0, len(paths), BATCH):
                check()
                out.update(_batch(con, paths[i : i + BATCH]))
        finally:
            # freeing its memory takes 0.1-0.2 s the open need not wait for; not a daemon
            # thread, so the interpreter waits for it at exit (DuckDB must not be inside then)
            if _threads_joined_at_exit():
                _close_soon(con)
            else:
                con.close()
    for path in paths:  # few files, our own files, v1 files, any the bulk reads could not take
        if path not in out:
            check()
            out[path] = file_stats(path)
    return out


def bulk_file_stats_soon(
    paths: list[Path], check: Callable[[], None], bulk: bool = True
) -> Callable[[], dict[Path, FileStats]]:
    """`bulk_file_stats` in a thread of its own (its DuckDB works while the caller's does);
    returns the function that waits for the result (or raises what the thread raised)."""
    if not paths or not _threads_joined_at_exit():  # at exit (a writer's last catch-up): no thread
        stats = bulk_file_stats(paths, check, bulk)
        return lambda: stats
    result: dict[Path, FileStats] = {}
    failed: list[BaseException] = []

    def work() -> None:
        try:
            result.update(bulk_file_stats(paths, check, bulk))
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=work, name="art-count")
    thread.start()

    def wait() -> dict[Path, FileStats]:
        thread.join()
        if failed:
            raise failed[0]
        return result

    return wait


_closing: set[threading.Thread] = set()


def _close_soon(con: duckdb.DuckDBPyConnection) -> None:
    """Close `con` on a thread of its own (a fork waits for it: see _before_fork)."""

    def close() -> None:
        try:
            con.close()
        finally:
            _closing.discard(threading.current_thread())

    thread = threading.Thread(target=close, name="art-bulk-close")
    _closing.add(thread)
    thread.start()


def _before_fork() -> None:
    """A fork waits for the closing DuckDBs: a child forked while a thread is inside DuckDB
    (freeing memory, holding the allocator's locks) would inherit those locks held forever."""
    for thread in list(_closing):
        thread.join()


os.register_at_fork(before=_before_fork)


def _threads_joined_at_exit() -> bool:
    """False once the interpreter has joined its threads for exit (atexit handlers run then)."""
    return threading.main_thread().is_alive()


def _batch(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> dict[Path, FileStats]:
    """Counts first, over every file (one pass that also caches the footers), then the footers'
    markers to keep only openpipe-art's v2 files. When the counts fail (a damaged or v1 file
    among them): footers first, then counts of the v2 files alone, halving around failures."""
    by_name = {str(p): p for p in paths}
    try:
        names = list(by_name)
        run(con, "local/set_bulk_paths", paths=json.dumps(names))
        counts = _named(run(con, "local/bulk_counts").fetchall(), names)
        footers = run(con, "local/bulk_footers").fetchall()  # the same list, already set
    except duckdb.Error:
        footers, _ = _each_readable(con, "local/bulk_footers", paths)
        v2 = [by_name[f[0]] for f in footers if f[0] in by_name and _theirs_v2(f)]
        counts, _ = _each_readable(con, "local/bulk_counts", v2)
        footers, _ = _each_readable(con, "local/bulk_footers", v2)
    theirs = {f[0] for f in footers if _theirs_v2(f)}
    out = {}
    for name, rows, groups, trajectories, exceptions in counts:
        if name in by_name and name in theirs:
            out[by_name[name]] = FileStats(rows, groups, trajectories, exceptions, 2, None)
    return out


def _theirs_v2(footer: tuple[Any, ...]) -> bool:
    """A v2 file (ART's marker) without our writer's counts, hence without page CRCs."""
    _, version, ours = footer
    return version == "2" and not ours


def _named(rows: list[tuple[Any, ...]], names: list[str]) -> list[tuple[Any, ...]]:
    """local/bulk_counts' rows with each file's place in the list replaced by its name."""
    return [(names[index], *rest) for index, *rest in rows]


def _each_readable(
    con: duckdb.DuckDBPyConnection, query: str, paths: list[Path]
) -> tuple[list[tuple[Any, ...]], list[Path]]:
    """Rows of `query` over `paths`, and the paths it could not read (halving on failure);
    rows of local/bulk_counts name their files."""
    if not paths:
        return [], []
    try:
        names = [str(p) for p in paths]
        run(con, "local/set_bulk_paths", paths=json.dumps(names))
        rows = run(con, query).fetchall()
        return (_named(rows, names) if query == "local/bulk_counts" else rows), []
    except duckdb.Error:
        if len(paths) == 1:
            return [], paths
    half = len(paths) // 2
    rows_a, bad_a = _each_readable(con, query, paths[:half])
    rows_b, bad_b = _each_readable(con, query, paths[half:])
    return rows_a + rows_b, bad_a + bad_b
