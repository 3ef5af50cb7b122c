"""ART's `art.utils.trajectory_logging`: one file of trajectory groups, written and read back.

The same format the store writes for each step (ART's v2 parquet, zstd), so a file written
here is read by openpipe-art's reader and the reverse; the reader also takes ART's older v1
files. For files in a store, `art.connect()` and `trajectories_of()` answer in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from art.trajectories import TrajectoryGroup


def write_trajectory_groups_parquet(trajectory_groups: Iterable[TrajectoryGroup], path: str | Path) -> None:
    """Write the groups (any iterable, as ART takes) to `path` (its folder made if missing):
    written under a temporary name, synced and renamed, so a reader sees the old file or the
    new one, never half. A `path` that is a link is written through, as ART writes it."""
    from art.store.parquet import groups_to_table, write_table

    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    write_table(groups_to_table(list(trajectory_groups)), target)


def read_trajectory_groups_parquet(path: str | Path) -> list[TrajectoryGroup]:
    """The groups of a file written by this library or by openpipe-art (v1 or v2). A missing
    or unreadable file raises its OSError (FileNotFoundError, ...) as ART's reader does; a
    file that is not a trajectory parquet, UnsupportedFormatError (a ValueError)."""
    from art.store.parquet_read import read_groups

    with open(path, "rb"):
        pass
    return read_groups(path)
