"""Operator verbs on a lake: create it up front, drop a run (or its old steps) for retention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from art.errors import InvalidArgumentError
from art.store import sql
from art.store.lake_connection import lake_connection
from art.store.paths import validate_name

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore


def init(store: DuckLakeStore) -> bool:
    """Create the lake's catalog and tables if missing (safe beside writers doing the same);
    True when this call created them."""
    lake = lake_connection(store)
    created, lake.created = lake.created, False
    return created


def drop_run(
    store: DuckLakeStore, project: str, model: str, split: str | None = None, before_step: int | None = None
) -> dict[str, int]:
    """Delete a run's trajectories and history (only `split`, only steps < `before_step` if
    given; its running totals with the whole run) in one retried transaction; the files go at
    the next maintain(). Rows deleted."""
    validate_name("project", project)
    validate_name("model", model)
    if split is not None:
        validate_name("split", split)
    if before_step is not None and (isinstance(before_step, bool) or not isinstance(before_step, int)):
        raise InvalidArgumentError("before_step", before_step, "must be an integer")
    where = {"project": project, "model": model, "split": split, "before_step": before_step}

    def drop(cur: object) -> dict[str, int]:
        counts = {
            "trajectories": sql.run(cur, "lake/drop_trajectories", **where).fetchone()[0],  # type: ignore[arg-type]
            "history": sql.run(cur, "lake/drop_history", **where).fetchone()[0],  # type: ignore[arg-type]
        }
        if split is None and before_step is None:  # the whole run: a new one starts from zero
            sql.run(cur, "lake/model_state_delete", project=project, model=model)  # type: ignore[arg-type]
        return counts

    return lake_connection(store).retry(drop, what=f"drop {project}/{model}")
