"""The lake's log(): one transaction replaces the step's trajectories and adds its history rows."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from art.store import history, ledger, sql
from art.store.history_ingest import history_schema
from art.store.lake_connection import lake_connection
from art.store.parquet import groups_to_table
from art.store.paths import validate_name
from art.store.writer import check_step, finish_row

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore
    from art.trajectories import TrajectoryGroup


def new_seq() -> int:
    """Identifies one log() call's history rows (there is no line number in a lake)."""
    return secrets.randbits(62)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def model_lock_key(project: str, model: str) -> str:
    """The advisory lock serializing a model's writers: its running totals advance one call at
    a time, and a step logged twice keeps one set of rows (the last writer's)."""
    return "art-lake:model:" + json.dumps([project, model])


def log_step(
    store: DuckLakeStore,
    project: str,
    model: str,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    """The lake's log(): one transaction replaces the step's trajectories, adds its history row
    and advances the model's running totals (lake.model_state), under the model's advisory
    lock: a restarted trainer and every host logging the model go on from the same totals."""
    validate_name("project", project)
    validate_name("model", model)
    partial, buffer = check_step(groups, split, step, metrics)  # bad input raises here, plainly
    table = groups_to_table(groups) if groups is not None else None
    recorded_at = now_utc()
    seq = new_seq()
    done: dict[str, Any] = {}

    import pyarrow as pa

    def write(cur: Any) -> None:
        state = sql.run(cur, "lake/model_state_of", project=project, model=model).fetchone()
        totals = ledger.from_state(json.loads(state[0]) if state is not None else None)
        before = totals.mark()
        row = finish_row(partial, buffer, totals)
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
        n = len(row)
        if n:
            new_history = pa.Table.from_pydict(
                {
                    "project": [project] * n,
                    "model": [model] * n,
                    "split": [history.row_split(list(row))] * n,
                    "step": [step] * n,
                    "training_step": [step] * n,
                    "recorded_at": [recorded_at] * n,
                    "seq": [seq] * n,
                    "metric": list(row),
                    "value": [float(v) for v in row.values()],
                },
                schema=history_schema(),
            )
            cur.register("new_history", new_history)
            sql.run(cur, "lake/insert_history")
            cur.unregister("new_history")
        if totals.changed(before):
            sql.run(cur, "lake/model_state_delete", project=project, model=model)
            text = json.dumps(totals.state())
            sql.run(cur, "lake/model_state_insert", project=project, model=model, state=text)
        done["row"] = row

    # Writers of one model take turns (the totals), so the last one's trajectories of a step stay.
    lock = model_lock_key(project, model)
    lake_connection(store).retry(write, lock_key=lock, what=f"log {project}/{model} {split} step {step}")
    return done["row"]
