"""ART's `art.utils.trajectory_logging`: one file of trajectory groups, written and read back.

The same format the store writes for each step (ART's v2 parquet, zstd), so a file written
here is read by openpipe-art's reader and the reverse; the reader also takes ART's older v1
files. For files in a store, `art.connect()` and `trajectories_of()` answer in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from art.trajectories import TrajectoryGroup


def write_trajectory_groups_parquet(trajectory_groups: Sequence[TrajectoryGroup], path: str | Path) -> None:
    """Write the groups to `path` (its folder made if missing): written under a temporary
    name, synced and renamed, so a reader sees the old file or the new one, never half."""
    from art.store.parquet import groups_to_table, write_table

    write_table(groups_to_table(trajectory_groups), Path(path))


def read_trajectory_groups_parquet(path: str | Path) -> list[TrajectoryGroup]:
    """The groups of a file written by this library or by openpipe-art (v1 or v2)."""
    from art.store.parquet_read import read_groups

    return read_groups(path)
