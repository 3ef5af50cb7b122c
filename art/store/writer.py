"""One log() call: groups -> Arrow table -> parquet; metrics -> history.jsonl; catalog catch-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from art.errors import InvalidTrajectoryError
from art.store import history
from art.store.catalog import catalog_for
from art.store.metrics import step_metrics
from art.store.parquet import groups_to_table, write_table
from art.store.paths import ModelPaths, validate_name, validate_split, validate_step
from art.trajectories import TrajectoryGroup

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

SPLIT_PREFIXES = ("train/", "val/", "test/")


def caller_metric_key(key: str, split: str) -> str:
    """ART 0.5.23's rule: keys already under train/, val/, test/ or the split stay as they are."""
    if key.startswith(SPLIT_PREFIXES) or key.startswith(f"{split}/"):
        return key
    return f"{split}/{key}"


def check_caller_metrics(metrics: dict[str, Any], split: str) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key or any(ord(c) < 32 for c in key):
            raise InvalidTrajectoryError("metrics", key, "metric names must be non-empty text")
        if key in history.RESERVED_KEYS:
            raise InvalidTrajectoryError("metrics", key, "this key is written by the store itself")
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, int | float):
            raise InvalidTrajectoryError(f"metrics[{key!r}]", value, "metric values must be numbers")
        out[caller_metric_key(key, split)] = value
    return out


def prepare_step(
    groups: Sequence[TrajectoryGroup] | None, split: str, step: int, metrics: dict[str, Any] | None
) -> dict[str, Any]:
    """Check a log() call and compute its history row; nothing is written yet."""
    validate_split(split)
    validate_step(step)
    extra = check_caller_metrics(metrics or {}, split)
    computed = step_metrics(groups, split) if groups is not None else {}
    return history.finite_metrics({**computed, **extra})


def log_step(
    paths: ModelPaths,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    """Write one step and return its history row (metrics only, without step keys).

    Everything is checked and computed before anything is written, so a refused call
    leaves no trace. (Computing the metrics in a thread beside the file write was measured
    slower: DuckDB's scan of a Python Arrow table takes the GIL back and forth.)
    """
    row = prepare_step(groups, split, step, metrics)
    paths.check_inside(paths.model_dir)
    if groups is not None:
        write_table(groups_to_table(groups), paths.trajectory_file(split, step))
    if row:
        history.append_line(paths.history, history.format_row(row, step, history.now_iso()))
    if groups is not None or row:
        catalog_for(paths.base_path).sync_soon(paths.project, paths.model)
    return row


def log_step_lake(
    store: DuckLakeStore,
    project: str,
    model: str,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    """The lake's log(): one transaction replaces the step's trajectories and adds its history."""
    import pyarrow as pa

    from art.store import sql
    from art.store.catalog import history_schema
    from art.store.lake import lake_connection, new_seq, now_utc

    validate_name("project", project)
    validate_name("model", model)
    row = prepare_step(groups, split, step, metrics)
    table = groups_to_table(groups) if groups is not None else None
    recorded_at = now_utc()
    seq = new_seq()
    row_split = history.row_split(list(row))
    n = len(row)
    new_history = pa.Table.from_pydict(
        {
            "project": [project] * n,
            "model": [model] * n,
            "split": [row_split] * n,
            "step": [step] * n,
            "training_step": [step] * n,
            "recorded_at": [recorded_at] * n,
            "seq": [seq] * n,
            "metric": list(row),
            "value": [float(v) for v in row.values()],
        },
        schema=history_schema(),
    )

    def write(cur: Any) -> None:
        if table is not None:
            where = {"project": project, "model": model, "split": split, "step": step}
            if sql.run(cur, "lake_step_exists", **where).fetchone()[0]:
                sql.run(cur, "lake_delete_step", **where)
            cur.register("step_rows", table)
            sql.run(
                cur,
                "lake_insert_trajectories",
                project=project,
                model=model,
                split=split,
                step=step,
                recorded_at=recorded_at,
            )
            cur.unregister("step_rows")
        if n:
            cur.register("new_history", new_history)
            sql.run(cur, "lake_insert_history")
            cur.unregister("new_history")

    lake_connection(store).retry(write)
    return row
