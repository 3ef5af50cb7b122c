"""The analysis connection behind `art.connect()`: an in-memory DuckDB over a catalog snapshot.

Holding it open never blocks a trainer: it keeps no lock and no handle on the catalog file.
Reconnect (or call `art.connect()` again) to see steps logged since.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

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
    snapshot = catalog_for(base).snapshot()
    con = duckdb.connect(":memory:")
    for name, table in snapshot.items():
        con.register(name, table)  # zero-copy: the snapshot's Arrow tables are the relations
    files = [f for f in snapshot["trajectory_files"].to_pylist() if f["error"] is None]
    abs_paths = [str(base / f["path"]) for f in files]
    index = pa.table(
        {
            "abs_path": abs_paths,
            "project": [f["project"] for f in files],
            "model": [f["model"] for f in files],
            "split": [f["split"] for f in files],
            "step": pa.array([f["step"] for f in files], type=pa.int64()),
        }
    )
    con.register("file_index", index)
    run(con, "set_base_path", base_path=str(base))
    run(con, "set_trajectory_paths", paths=abs_paths)
    for view in VIEWS:
        run(con, view)
    run(con, "view_trajectories" if abs_paths else "view_trajectories_empty")
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
