"""The SQL console: the same statements `art sql` allows, on the same sandboxed connection.

`art.sql_guard.check_allowed` admits only statement kinds that cannot write a file, and the
store's `connect()` is where DuckDB itself refuses every file but the store's own.
"""

from __future__ import annotations

from typing import Any

import duckdb

from art.errors import ArtError
from art.ui.snapshot import PathOrStore, open_connection

MAX_ROWS = 10_000


class ConsoleError(ArtError, ValueError):
    """A console statement that was refused or failed; the message says why."""


def run_console(path_or_store: PathOrStore, statement: str) -> dict[str, Any]:
    """Columns and at most MAX_ROWS rows of the last statement; `truncated` says if cut."""
    from art.sql_guard import check_allowed

    if not statement.strip():
        raise ConsoleError("the statement is empty")
    try:
        check_allowed(statement)
        con = open_connection(path_or_store)
        try:
            cur = con.execute(statement)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchmany(MAX_ROWS + 1)
        finally:
            con.close()
    except (duckdb.Error, ArtError) as e:
        if isinstance(e, duckdb.Error):
            from art.sql_hints import explained

            e = explained(e, statement)
        raise ConsoleError(str(e).splitlines()[0] if str(e) else type(e).__name__) from e
    return {"columns": columns, "rows": rows[:MAX_ROWS], "truncated": len(rows) > MAX_ROWS}
