"""The analysis connection behind `art.connect()`: DuckDB over a private snapshot of the catalog.

Holding it open never blocks a trainer: it reads a copy of the caught-up catalog file,
taken under the lock in a few milliseconds, and keeps no handle on the real one. It is
read-only. Call `art.connect()` again to see steps logged since.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from art.store.catalog import catalog_for, run

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

VIEWS = ("view_runs", "view_history_by_step")


def connect(
    base_path: str | Path = ".art", *, store: DuckLakeStore | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with `runs`, `models`, `history`, `history_by_step`,
    `trajectory_files`, `trajectories` and `trajectories_of(project, model[, split])`.

    With a DuckLakeStore: a cursor on the process's lake connection, the lake in use, and
    `runs`, `history`, `history_by_step`, `trajectories`, `trajectories_of` over its tables.
    """
    if store is not None:
        return _connect_lake(store)
    base = Path(base_path).absolute()
    copy = catalog_for(base).snapshot_file()
    try:
        con = duckdb.connect(str(copy), read_only=True)
    finally:  # the open connection keeps the file's data; the name can go now
        for path in (copy, Path(f"{copy}.wal")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    run(con, "set_base_path", base_path=str(base))
    run(con, "file_index")
    run(con, "set_trajectory_paths")
    for view in VIEWS:
        run(con, view)
    files, v2_files = run(con, "file_index_versions").fetchone() or (0, 0)
    if not files:
        run(con, "view_trajectories_empty")
    elif files == v2_files:
        run(con, "view_trajectories")
    else:
        run(con, "view_trajectories_mixed")
    run(con, "macro_trajectories_of")
    return con


def _connect_lake(store: DuckLakeStore) -> duckdb.DuckDBPyConnection:
    from art.store.lake import lake_connection

    cur = lake_connection(store).con.cursor()
    for name in (
        "lake_use",
        "lake_view_runs",
        "view_history_by_step",
        "lake_view_trajectories",
        "lake_macro_trajectories_of",
    ):
        run(cur, name)
    return cur
