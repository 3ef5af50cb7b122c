"""The lake's log(): one transaction replaces the step's trajectories and adds its history rows."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from art.store import history, ledger, sql
from art.store.history_ingest import history_schema
from art.store.lake_connection import lake_connection
from art.store.parquet import groups_to_table
from art.store.paths import validate_name
from art.store.writer import prepare_step

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore
    from art.trajectories import TrajectoryGroup


def new_seq() -> int:
    """Identifies one log() call's history rows (there is no line number in a lake)."""
    return secrets.randbits(62)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def step_lock_key(project: str, model: str, split: str, step: int) -> str:
    """The advisory lock serializing writers of one step (last writer wins, one set of rows)."""
    import json

    return "art-lake:step:" + json.dumps([project, model, split, step])


def log_step(
    store: DuckLakeStore,
    project: str,
    model: str,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    """The lake's log(): one transaction replaces the step's trajectories and adds its history."""
    validate_name("project", project)
    validate_name("model", model)
    with ledger.in_memory(project, model) as totals:
        return _log_step(store, project, model, groups, split, step, metrics, totals)


def _log_step(
    store: DuckLakeStore,
    project: str,
    model: str,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
    totals: ledger.Ledger,
) -> dict[str, Any]:
    import pyarrow as pa

    row = prepare_step(groups, split, step, metrics, totals)
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
            if sql.run(cur, "lake/step_exists", **where).fetchone()[0]:
                sql.run(cur, "lake/delete_step", **where)
            cur.register("step_rows", table)
            sql.run(
                cur,
                "lake/insert_trajectories",
                project=project,
                model=model,
                split=split,
                step=step,
                recorded_at=recorded_at,
            )
            cur.unregister("step_rows")
        if n:
            cur.register("new_history", new_history)
            sql.run(cur, "lake/insert_history")
            cur.unregister("new_history")

    # Writers of one (project, model, split, step) take turns: the last one's trajectories stay.
    lock = step_lock_key(project, model, split, step) if table is not None else None
    lake_connection(store).retry(write, lock_key=lock, what=f"log {project}/{model} {split} step {step}")
    return row
