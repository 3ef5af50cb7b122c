"""Read-only questions over a store, as (columns, rows) results: what the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from art.checkpoints import best_steps
from art.errors import InvalidArgumentError, MetricNotFoundError, NotFoundError
from art.lookup import check_run_exists
from art.sql_guard import check_allowed
from art.sql_hints import explained
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
    store = as_store(store)
    with store.history(project, model) as con:
        result = _result(
            run(
                con, "history_series", project=project, model=model, metric=metric, split=split, window=window
            )
        )
        if result.rows:
            return result
        metrics = [r[0] for r in run(con, "metrics_of_model", project=project, model=model).fetchall()]
        splits = [r[0] for r in run(con, "splits_of_model", project=project, model=model).fetchall()]
        if metric is not None and split is not None:
            q = run(con, "splits_of_metric", project=project, model=model, metric=metric)
            metric_splits = [r[0] for r in q.fetchall()]
    if not metrics:
        check_run_exists(store, project, model)
    if split is not None and split not in splits:
        raise NotFoundError("split", split, splits, f" in {project}/{model}")
    if metric is not None and metric not in metrics:
        raise MetricNotFoundError(metric, metrics, f"{project}/{model}")
    if metric is not None and split is not None:  # both exist, never together
        raise NotFoundError("split", split, metric_splits, f" for {metric} in {project}/{model}")
    return result


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
    except duckdb.Error as e:
        raise explained(e, statement) from e
    finally:
        con.close()


def pivot_history(result: Result, window: int = 1) -> Result:
    """A `history` result in wide format: one row per step, one column per metric holding its
    smoothed value (the value itself when the window is 1). With a window > 1 the columns are
    named `METRIC (mean of N)`: under the bare name an export reads as the logged values."""
    at = {c: i for i, c in enumerate(result.columns)}
    metrics = list(dict.fromkeys(r[at["metric"]] for r in result.rows))
    by_step: dict[int, dict[str, Any]] = {}
    for r in result.rows:
        by_step.setdefault(r[at["step"]], {})[r[at["metric"]]] = r[at["smoothed"]]
    rows = [(step, *(values.get(m) for m in metrics)) for step, values in sorted(by_step.items())]
    names = metrics if window == 1 else [f"{m} (mean of {window})" for m in metrics]
    return Result(["step", *names], rows)
