"""Ingest of history.jsonl into a DuckDB `history` table (the catalog's, or a reader's copy).

Progress is recorded as bytes and lines of which file (inode), so a reader reads only the
lines appended since, and a replaced or shrunk file is ingested again from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from art.store import history
from art.store.sql import run_checked as run

if TYPE_CHECKING:  # pyarrow is imported where it is used: art.connect() needs none of it
    import pyarrow as pa


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


@dataclass(frozen=True)
class HistoryProgress:
    """How much of a source file (history.jsonl, model.json) has been ingested: bytes and
    lines, of which file (inode) and version (mtime)."""

    bytes: int
    lines: int
    inode: int
    mtime_ns: int


def record_source(
    con: duckdb.DuckDBPyConnection, rel: str, project: str, model: str, kind: str, progress: HistoryProgress
) -> None:
    """Remember how far the catalog has ingested a source file."""
    run(
        con,
        "local/upsert_source",
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
        run(con, "local/insert_history")
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
            run(con, "local/delete_model_history", project=project, model=model)
        return None
    offset, lines = 0, 0
    if known is not None:
        if known.inode == st.st_ino and st.st_size >= known.bytes:
            if st.st_size == known.bytes:
                return known
            offset, lines = known.bytes, known.lines
        else:
            run(con, "local/delete_model_history", project=project, model=model)
    rows, new_offset, n = history.read_from(path, offset, lines)
    if rows:
        insert_history(con, project, model, rows)
    return HistoryProgress(new_offset, lines + n, st.st_ino, st.st_mtime_ns)
