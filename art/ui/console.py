"""The SQL console: read-only statements over the store's views, sandboxed.

Local stores: a fresh `art.connect()` connection that may read only the store's folder
(`allowed_directories`, then `enable_external_access = false`, which cannot be undone on
that connection); the statement must pass `art.analysis.check_read_only`. A DuckLake store's
connection needs S3 access, so its statements go through `art.analysis.sql` as `art sql` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from art.errors import ArtError
from art.ui.snapshot import PathOrStore, open_connection

MAX_ROWS = 10_000


class ConsoleError(ArtError, ValueError):
    """A console statement that was refused or failed; the message says why."""


def run_console(path_or_store: PathOrStore, statement: str) -> dict[str, Any]:
    """Columns and at most MAX_ROWS rows of the last statement; `truncated` says if cut."""
    from art import analysis
    from art.store.local import LocalStore
    from art.store.resolve import as_store

    if not statement.strip():
        raise ConsoleError("the statement is empty")
    try:
        analysis.check_read_only(statement)
        store = as_store(path_or_store)
        if not isinstance(store, LocalStore):
            result = analysis.sql(store, statement)
            return _shape(result.columns, result.rows)
        con = _sandboxed(store.base_path)
        try:
            cur = None
            for s in duckdb.extract_statements(statement):
                cur = con.execute(s.query)
            assert cur is not None
            columns = [d[0] for d in cur.description or []]
            return _shape(columns, cur.fetchmany(MAX_ROWS + 1))
        finally:
            con.close()
    except (duckdb.Error, ArtError) as e:
        raise ConsoleError(str(e).splitlines()[0] if str(e) else type(e).__name__) from e


def _sandboxed(base: Path) -> duckdb.DuckDBPyConnection:
    con = open_connection(base)
    allowed = str(base.absolute()).rstrip("/") + "/"
    con.execute("SET allowed_directories = $dirs", {"dirs": [allowed]})
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _shape(columns: list[str], rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {"columns": columns, "rows": rows[:MAX_ROWS], "truncated": len(rows) > MAX_ROWS}
