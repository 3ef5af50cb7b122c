"""Read-only questions over a store, as (columns, rows) results: what the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from art.checkpoints import best_steps
from art.errors import InvalidArgumentError
from art.sql_guard import check_allowed
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


def sql(store: StoreLike, statement: str) -> Result:
    """Run SQL over the store's public views in DuckDB's sandbox (no file access but reading
    the store's files); the last statement's rows are returned. PIVOT, SUMMARIZE, temp views
    and variables work; nothing reaches the disk."""
    check_allowed(statement)
    con = as_store(store).connect()
    try:
        return _result(con.execute(statement))
    finally:
        con.close()
