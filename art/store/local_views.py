"""The local store's analysis connection: DuckDB over a private snapshot of the catalog.

Holding it open never blocks a trainer: it reads a copy of the caught-up catalog file,
taken under the lock in a few milliseconds, and keeps no handle on the real one. It is
read-only. Open it again to see steps logged since.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

from art.store.catalog import catalog_for
from art.store.sql import run_checked as run

VIEWS = ("local/view_runs", "view_history_by_step")


def open_snapshot(base: Path) -> duckdb.DuckDBPyConnection:
    """`runs`, `models`, `history`, `history_by_step`, `trajectory_files`, `trajectories` and
    `trajectories_of(project, model[, split])` over the store at `base` (an absolute path)."""
    copy = catalog_for(base).snapshot_file()
    try:
        con = duckdb.connect(str(copy), read_only=True)
    finally:  # the open connection keeps the file's data; the name can go now
        for path in (copy, Path(f"{copy}.wal")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    run(con, "local/set_base_path", base_path=str(base))
    run(con, "local/file_index")
    run(con, "local/set_trajectory_paths")
    for view in VIEWS:
        run(con, view)
    files, v2_files = run(con, "local/file_index_versions").fetchone() or (0, 0)
    if not files:
        run(con, "local/view_trajectories_empty")
    elif files == v2_files:
        run(con, "local/view_trajectories")
    else:
        run(con, "local/view_trajectories_mixed")
    run(con, "local/macro_trajectories_of")
    return con
