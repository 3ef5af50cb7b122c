"""`art.connect()`: the read-only DuckDB connection for notebooks, scripts and the CLI."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from art.store.base import Store
from art.store.resolve import as_store

if TYPE_CHECKING:
    import duckdb


def connect(path_or_store: str | os.PathLike[str] | Store = ".art") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with `runs`, `models`, `history`, `history_by_step`,
    `trajectory_files`, `trajectories` and `trajectories_of(project, model[, split][, at_step := N])`.

    Give a base path (a local store) or a Store (`art.DuckLakeStore(...)` for a lake). It is
    a snapshot: call `art.connect()` again to see steps logged since.
    """
    return as_store(path_or_store).connect()
