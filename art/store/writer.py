"""One log() call on a local store: groups -> parquet; metrics -> history.jsonl; catalog catch-up.

`prepare_step` (checks and metrics, before anything is written) serves the lake's log() too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from art.errors import InvalidTrajectoryError
from art.store import history
from art.store.catalog import catalog_for
from art.store.confined import exists_at, folder, subfolder
from art.store.metrics import step_metrics
from art.store.model_lock import model_lock
from art.store.parquet import groups_to_table, write_table_at
from art.store.paths import ModelPaths, validate_split, validate_step
from art.trajectories import TrajectoryGroup

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
    if groups is None and not row:
        return row
    table = groups_to_table(groups) if groups is not None else None
    with ExitStack() as stack:
        model_fd = stack.enter_context(folder(paths.base_path, paths.parts()))
        stack.enter_context(model_lock(model_fd, paths.model_dir))
        new_file: tuple[int, str] | None = None
        if table is not None:
            split_fd = stack.enter_context(subfolder(model_fd, ("trajectories", split), paths.model_dir))
            target = paths.trajectory_file(split, step)
            existed = exists_at(split_fd, target.name)
            write_table_at(table, split_fd, target.name, target)
            new_file = None if existed else (split_fd, target.name)
        if row:
            try:
                line = history.format_row(row, step, history.now_iso())
                history.append_line(model_fd, line, paths.history)
            except BaseException:
                if new_file is not None:  # a new step's file without its history row: remove it
                    with contextlib.suppress(OSError):
                        os.unlink(new_file[1], dir_fd=new_file[0])
                raise
    catalog_for(paths.base_path).sync_soon(paths.project, paths.model)
    return row
