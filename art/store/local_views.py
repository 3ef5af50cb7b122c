"""The local store's analysis connection: an in-memory DuckDB, caught up with the files.

Opening it writes nothing into the store: it copies the catalog's rows (read-only, as data,
under DuckDB's shared file lock for a few milliseconds), catches the copy up with the files
in memory, and points the views at an explicit list of files. So it works on a full disk,
a read-only mount or a shared store the user cannot write, keeps no handle on the catalog
(never blocking a trainer) and leaves nothing behind when killed. Open it again to see steps
logged since.

For users (`art.connect()`, `art sql`) the connection is then sandboxed by DuckDB itself:
no file access except reading the listed trajectory files, no extensions, and a locked
configuration. COPY, EXPORT and ATTACH are refused before they run: DuckDB's allowed paths
are readable and writable alike, and the listed files are the store's own.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from art.errors import StoreNotFoundError
from art.store.catalog import catalog_for
from art.store.catalog_file import create_schema
from art.store.ingest import sync_models
from art.store.sql import run_checked as run

VIEWS = ("local/view_runs", "view_history_by_step")
SANDBOX = (  # in this order: the last two close the door behind the others
    "local/sandbox_paths",
    "local/sandbox_allowed_paths",
    "local/sandbox_no_directories",
    "local/sandbox_no_temp_directory",
    "local/sandbox_no_autoload",
    "local/sandbox_no_autoinstall",
    "local/sandbox_no_community_extensions",
    "local/sandbox_no_external_access",
    "local/sandbox_lock_configuration",
)


def open_snapshot(base: Path, *, sandbox: bool = True) -> duckdb.DuckDBPyConnection:
    """`runs`, `models`, `history`, `history_by_step`, `trajectory_files`, `trajectories` and
    `trajectories_of(project, model[, split])` over the store at `base` (an absolute path)."""
    if not base.is_dir():
        raise StoreNotFoundError(base)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        create_schema(con)
        catalog_for(base).read_into(con)
        con.begin()
        sync_models(con, base, None, remove_stale=False)
        con.commit()
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
        if sandbox:
            lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Let DuckDB refuse every file outside the views' own files, extensions and settings."""
    for name in SANDBOX:
        run(con, name)
