"""DuckDB's own sandbox for a connection that runs SQL typed by a user (`art.connect()`,
`art sql`, the dashboard), local store or lake alike: files only in the folders given, no
extension loaded or installed from then on, no temp files, and a locked configuration."""

from __future__ import annotations

import duckdb

from art.errors import OutsideStoreError
from art.store.sql import run_all_checked as run_all
from art.store.sql import run_checked as run

DOORS = (  # after the allowed folders, in this order: the last two close the door
    "sandbox_no_temp_directory",
    "sandbox_no_autoload",
    "sandbox_no_autoinstall",
    "sandbox_no_community_extensions",
    "sandbox_no_external_access",
    "sandbox_lock_configuration",
)


def close_doors(
    con: duckdb.DuckDBPyConnection, folders: list[str], then: tuple[str, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """Let DuckDB open files in `folders` (each ending with `/`) and nowhere else, and refuse
    every extension and setting from now on (`allowed_paths`, if any, are set before); `then`:
    queries taking no values run in the same call, the last one's rows returned to fetch.

    The folders go to DuckDB as one NUL-separated text: a name holding a NUL (no path of the
    file system does) is refused, as DuckDB would cut it into two folders, `/` among them."""
    for name in folders:
        if "\0" in name:
            raise OutsideStoreError(name, "a folder name holds a NUL character")
    run(con, "sandbox_allowed_directories", folders="\0".join(folders))
    return run_all(con, (*DOORS, *then))
