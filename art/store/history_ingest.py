"""Ingest of history.jsonl into a DuckDB `history` table (the catalog's, or a reader's copy).

Progress is recorded as bytes and lines of which file (inode), so a reader reads only the
lines appended since, and a replaced or shrunk file is ingested again from the start.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb

from art.errors import CatalogError
from art.store.confined import stat_regular
from art.store.no_pandas import no_pandas
from art.store.paths import RESERVED_SPLITS
from art.store.sql import run_checked as run

_BLANK_LINE = re.compile(rb"\n[ \t\r\f\v]*\n")

if TYPE_CHECKING:  # pyarrow is imported where it is used: art.connect() needs none of it
    import pyarrow as pa

    from art.store import history  # so is history: an open that finds no new line needs none


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


class HistoryProgress(NamedTuple):
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

    from art.store import history

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
    with no_pandas():
        con.register("new_history", table)
    try:
        run(con, "local/insert_history")
    finally:
        con.unregister("new_history")


def is_unchanged(st: os.stat_result, known: HistoryProgress) -> bool:
    """The file is as ingested: same file, size and mtime (a line edited in place keeps the
    size, not the mtime)."""
    same = (st.st_ino, st.st_size) == (known.inode, known.bytes)
    return same and known.mtime_ns in (0, st.st_mtime_ns)


def appended_to(st: os.stat_result, known: HistoryProgress, path: str | os.PathLike[str]) -> bool:
    """The same file, grown: only the lines past `known.bytes` are read. (Anything else, a
    file replaced, shrunk or rewritten at the same size, is read again from the start; so is
    one whose byte before that offset no longer ends a line: a file deleted and written again,
    which ext4 gives the freed inode. One that happens to end a line there is not told apart.)"""
    if st.st_ino != known.inode or st.st_size <= known.bytes:
        return False
    return known.bytes == 0 or _ends_a_line(path, known.bytes)


def _ends_a_line(path: str | os.PathLike[str], offset: int) -> bool:
    """The byte before `offset` is a newline (one read of one byte)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return os.pread(fd, 1, offset - 1) == b"\n"
    except OSError:
        return False
    finally:
        os.close(fd)


def catch_up_history(
    con: duckdb.DuckDBPyConnection, project: str, model: str, path: Path, known: HistoryProgress | None
) -> HistoryProgress | None:
    """Ingest the complete lines of `path` past `known` into `con`'s history table.

    A file that shrank, was replaced (another inode) or rewritten at the same size (another
    mtime) is ingested again from the start.
    Returns the new progress, or None when the file is gone (its rows are then dropped).
    """
    try:
        st = stat_regular(path)
    except FileNotFoundError:
        if known is not None:
            run(con, "local/delete_model_history", project=project, model=model)
        return None
    offset, lines = 0, 0
    if known is not None:
        if is_unchanged(st, known):
            return known
        if appended_to(st, known, path):
            offset, lines = known.bytes, known.lines
        else:
            run(con, "local/delete_model_history", project=project, model=model)
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
        after = os.fstat(f.fileno())
    # the mtime of what was read; 0 (compare sizes alone) when the file grew while it was read
    mtime = after.st_mtime_ns if after.st_size == offset + len(data) else 0
    end = data.rfind(b"\n")
    if end < 0:
        return HistoryProgress(offset, lines, st.st_ino, mtime)
    chunk = data[: end + 1]
    if offset == 0 and _whole_file_in_sql(con, project, model, path, chunk):
        pass
    elif not _insert_in_sql(con, project, model, chunk, lines):
        from art.store import history

        rows, _, _ = history.read_from(path, offset, lines)
        if rows:
            insert_history(con, project, model, rows)
    return HistoryProgress(offset + end + 1, lines + chunk.count(b"\n"), st.st_ino, mtime)


def _whole_file_in_sql(
    con: duckdb.DuckDBPyConnection, project: str, model: str, path: Path, chunk: bytes
) -> bool:
    """A first ingest by DuckDB's JSON reader: ten times Python's speed on a long history.

    Only when every line of `chunk` (the file's complete lines) is non-blank and free of what
    DuckDB reads unlike Python (NaN, Infinity, bad UTF-8), and DuckDB's reader parses each of
    them as JSON (checked first on a cursor of its own); else the other paths do the work.
    """
    if b"NaN" in chunk or b"Infinity" in chunk or _BLANK_LINE.search(chunk) or chunk.startswith(b"\n"):
        return False
    lines = chunk.count(b"\n")
    try:
        chunk.decode("utf-8")
        with con.cursor() as cur:  # its own transaction: a failure leaves the caller's intact
            if run(cur, "local/history_file_lines", path=str(path), lines=lines).fetchone()[0] != lines:
                return False
    except (UnicodeDecodeError, CatalogError):
        return False
    _insert_staged(con, project, model, "local/stage_history_file", path=str(path), lines=lines)
    return True


def _insert_in_sql(
    con: duckdb.DuckDBPyConnection, project: str, model: str, chunk: bytes, first: int
) -> bool:
    """Parse and append whole lines in DuckDB (no Python per line, no pyarrow); False when the
    chunk holds what only Python's parser reads the same way (bad UTF-8, NaN or Infinity)."""
    if b"NaN" in chunk or b"Infinity" in chunk:
        return False
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    _insert_staged(con, project, model, "local/stage_history_text", text=text, first_seq=first)
    return True


def _insert_staged(
    con: duckdb.DuckDBPyConnection, project: str, model: str, stage: str, **values: Any
) -> None:
    """Stage lines by `stage` (a file read by DuckDB, or text), then parse them all by one
    query (local/insert_history_docs); the staging table is gone afterwards."""
    from art.store import history

    run(con, "local/stage_history_docs_schema")
    run(con, stage, **values)
    run(
        con,
        "local/insert_history_docs",
        project=project,
        model=model,
        reserved=sorted(RESERVED_SPLITS),
        iso_time=history.ISO_TIME.pattern,
    )
    run(con, "local/drop_history_docs")
