"""One log() call on a local store: groups -> parquet; metrics -> history.jsonl; catalog catch-up.

`check_step` and `finish_row` (checks and the history row, before anything is written) serve the
lake's log() too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from art.errors import InvalidTrajectoryError
from art.store import history, ledger
from art.store.catalog import catalog_for
from art.store.confined import exists_at, folder, subfolder
from art.store.metrics import StepQuery, own_keys, step_query
from art.store.model_lock import model_lock
from art.store.own_files import OwnFile, own_file
from art.store.parquet import groups_to_table, start_write
from art.store.paths import ModelPaths, validate_split, validate_step
from art.trajectories import TrajectoryGroup


def check_caller_metrics(metrics: dict[str, Any]) -> dict[str, float | int]:
    """The caller's metrics as numbers (bools as 0/1), keys as given."""
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
        out[key] = value
    return out


def finish_row(row: dict[str, Any], buffer: ledger.StepBuffer, totals: ledger.Ledger) -> dict[str, Any]:
    """The history row: `check_step`'s row, the summed values and the running totals
    (`totals` advances)."""
    row = dict(row)
    row.update(totals.flush(buffer))
    return history.finite_metrics(row)


def check_step(
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> tuple[dict[str, Any], ledger.StepBuffer]:
    """Check a log() call (raising on bad input) and compute what of its row needs no running
    totals: the row so far and the buffer of summed values for `finish_row`."""
    return checked_step(groups, split, step, metrics).row()


class CheckedStep:
    """A log() call whose input is checked (bad input raised in `checked_step`), its row
    still to compute: `row()` runs the metrics query, so it may run while the step's file is
    being synced."""

    def __init__(
        self,
        split: str,
        query: StepQuery | None,
        defaults: dict[str, float],
        caller: dict[str, float],
        buffer: ledger.StepBuffer,
    ) -> None:
        self.split, self.query, self.defaults = split, query, defaults
        self.caller, self.buffer = caller, buffer
        self._row: dict[str, Any] | None = None

    def row(self) -> tuple[dict[str, Any], ledger.StepBuffer]:
        """The row so far and the buffer of summed values for `finish_row` (which copies the
        row: it is computed once and handed out as it is)."""
        if self._row is None:
            self._row = self._compute()
        return self._row, self.buffer

    def _compute(self) -> dict[str, Any]:
        split = self.split
        row: dict[str, Any] = {}
        if self.query is not None:
            # ART 0.5.23's order: trajectory metric means, the data counts of a non-train split,
            # group metric means, then reward, reward_std_dev and exception_rate (the query
            # gives the means in that order)
            means = self.query.run()
            own = own_keys(split)
            first = {k: v for k, v in means.items() if not k.startswith(f"{split}/group/") and k not in own}
            row.update(first)
            row.update(self.defaults)
            row.update((k, v) for k, v in means.items() if k not in first)
        for key, value in self.caller.items():
            row[ledger.qualify(key, split)] = value
        return row


def checked_step(
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> CheckedStep:
    """Check a log() call, raising on bad input; nothing is computed by DuckDB yet."""
    validate_split(split)
    validate_step(step)
    caller = check_caller_metrics(metrics or {})
    buffer = ledger.StepBuffer()
    defaults: dict[str, float] = {}
    query: StepQuery | None = None
    if groups is not None:
        if split in ledger.SPLITS:
            data, scenario_ids = ledger.batch_summary(groups, train=split == "train")
            missing = {k: v for k, v in data.items() if k not in caller and f"{split}/{k}" not in caller}
            if split == "train":
                for key, value in missing.items():
                    buffer.add(key, value)
                buffer.scenario_ids = scenario_ids
            else:
                defaults = {f"{split}/{k}": v for k, v in missing.items()}
        for g in groups:
            ledger.route(buffer, {k: v for k, v in g.metrics.items() if ledger.is_summed(k)})
            for t in g.trajectories:
                ledger.route(buffer, {k: v for k, v in t.metrics.items() if ledger.is_summed(k)})
        query = step_query(groups, split)
    return CheckedStep(split, query, defaults, ledger.route(buffer, caller), buffer)


def log_step(
    paths: ModelPaths,
    groups: Sequence[TrajectoryGroup] | None,
    split: str,
    step: int,
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    """Write one step and return its history row (metrics only, without step keys).

    The call is checked before anything is written, so a refused call leaves no trace. The
    step's file is written under a temporary name and synced in a worker thread while DuckDB
    computes the step's metrics (both wait outside the GIL); only then is it renamed into
    place, so a failed query leaves no file either. (Computing the metrics in a thread beside
    the file's encoding was measured slower: DuckDB's scan of a Python Arrow table takes the
    GIL back and forth.)
    """
    checked = checked_step(groups, split, step, metrics)
    if not paths.model_dir.exists():  # a refused first call must not leave the folder behind
        checked.row()
    with ExitStack() as stack:
        model_fd = stack.enter_context(folder(paths.base_path, paths.parts()))
        stack.enter_context(model_lock(model_fd, paths.model_dir))
        state = paths.model_dir / "state.json"
        totals = ledger.load(model_fd, state)
        before = totals.mark()
        if groups is None:
            row = finish_row(*checked.row(), totals)
            if not row:
                ledger.keep(state, totals)
                return row
            line = history.format_row(row, step, history.now_iso())
        written: list[OwnFile] = []
        wrote = False
        try:
            new_file: tuple[int, str] | None = None
            if groups is not None:
                table = groups_to_table(groups)
                split_fd = stack.enter_context(subfolder(model_fd, ("trajectories", split), paths.model_dir))
                target = paths.trajectory_file(split, step)
                existed = exists_at(split_fd, target.name)
                pending = start_write(table, split_fd, target.name, target)
                try:  # while the file's sync runs
                    row = finish_row(*checked.row(), totals)
                    line = history.format_row(row, step, history.now_iso()) if row else ""
                except BaseException:
                    pending.abandon()
                    raise
                try:
                    pending.commit()
                except BaseException:
                    # the folder's sync after the rename may have failed: the file is in place
                    wrote = True
                    if not existed:  # a new step's file no history line will announce
                        with contextlib.suppress(OSError):
                            os.unlink(target.name, dir_fd=split_fd)
                    raise
                wrote = True
                new_file = None if existed else (split_fd, target.name)
            try:
                if groups is not None:
                    written.append(own_file(table, split_fd, target.name, target, split, step))
                if row:
                    history.append_line(model_fd, line, paths.history)
            except BaseException:
                if new_file is not None:  # a new step's file without its history row: remove it
                    with contextlib.suppress(OSError):
                        os.unlink(new_file[1], dir_fd=new_file[0])
                raise
            if totals.changed(before):
                ledger.save(model_fd, state, totals)
            else:
                ledger.keep(state, totals)
        except BaseException:
            if wrote:  # a file is on disk that no record will announce: look at everything
                catalog_for(paths.base_path).sync_soon(paths.project, paths.model)
            raise
    catalog_for(paths.base_path).sync_soon(paths.project, paths.model, written)
    return row
