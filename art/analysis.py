"""Read-only questions over a store, as (columns, rows) results: what the CLI prints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from art.checkpoints import best_steps
from art.errors import InvalidArgumentError, ReadOnlyQueryError
from art.store.paths import validate_name
from art.store.resolve import StoreLike, as_store
from art.store.sql import run_checked as run


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def _result(cur: duckdb.DuckDBPyConnection) -> Result:
    rows = cur.fetchall()
    return Result([d[0] for d in cur.description or []], rows)


def runs(store: StoreLike) -> Result:
    con = as_store(store).connect()
    try:
        return _result(run(con, "runs_table"))
    finally:
        con.close()


def history(
    store: StoreLike,
    project: str,
    model: str,
    *,
    metric: str | None = None,
    split: str | None = None,
    window: int = 1,
) -> Result:
    """Per-step values and their trailing mean over `window` steps."""
    validate_name("project", project)
    validate_name("model", model)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise InvalidArgumentError("window", window, "must be an integer >= 1")
    with as_store(store).history(project, model) as con:
        return _result(
            run(
                con,
                "history_series",
                project=project,
                model=model,
                metric=metric,
                split=split,
                window=window,
            )
        )


def best_step(
    store: StoreLike,
    project: str,
    model: str,
    metric: str,
    *,
    window: int = 1,
    mode: str = "max",
    top_k: int = 1,
) -> Result:
    best = best_steps(store, project, model, metric, window=window, mode=mode, top_k=top_k)
    return Result(["step", "smoothed", "value"], [(b.step, b.smoothed, b.value) for b in best])


# DuckDB's sandbox (see art/store/local_views.py) refuses every file but the store's own
# trajectory files, which it lets a statement read *and* write: these are refused first.
FILE_WRITERS = {
    duckdb.StatementType.COPY,
    duckdb.StatementType.EXPORT,
    duckdb.StatementType.ATTACH,
    duckdb.StatementType.DETACH,
    duckdb.StatementType.LOAD,
}
_EXPLAIN_ANALYZE = re.compile(r"\s*EXPLAIN\s+ANALY[SZ]E\s+(.*)", re.IGNORECASE | re.DOTALL)


def check_no_file_writes(statement: str) -> None:
    """Refuse what could write the store's files; any other statement runs in the sandbox."""
    try:
        statements = duckdb.extract_statements(statement)
    except duckdb.Error as e:
        raise ReadOnlyQueryError(f"could not parse the statement: {e}") from e
    if not statements:
        raise ReadOnlyQueryError("no statement given")
    for s in statements:
        if s.type in FILE_WRITERS:
            raise ReadOnlyQueryError(f"{s.type.name} statements could write files; refused")
        if s.type == duckdb.StatementType.EXPLAIN and re.search(r"\bANALY[SZ]E\b", s.query, re.I):
            m = _EXPLAIN_ANALYZE.fullmatch(s.query)
            inner = duckdb.extract_statements(m.group(1)) if m else []
            if len(inner) != 1 or inner[0].type in FILE_WRITERS:
                raise ReadOnlyQueryError("EXPLAIN ANALYZE runs its statement: only of a query")


def sql(store: StoreLike, statement: str) -> Result:
    """Run SQL over the store's public views in DuckDB's sandbox (no file access but reading
    the store's files); the last statement's rows are returned. PIVOT, SUMMARIZE, temp views
    and variables work; nothing reaches the disk."""
    check_no_file_writes(statement)
    con = as_store(store).connect()
    try:
        return _result(con.execute(statement))
    finally:
        con.close()
