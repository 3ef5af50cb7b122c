"""Trajectory files this process wrote, handed to the background catch-up as they were written.

The writer knows each file's counts (it built the table) and its identity right after the
rename (inode, size, mtime, taken under the model's lock). When the file still has that
identity at catch-up time it holds the bytes the writer wrote, so the catalog records it from
the record alone: no folder listing, no decoding of every page (O(1) per step instead of
O(files in the folder) plus a full read). A file that changed since is not trusted: the model
is then caught up the usual way (listing and full read). Readers never use these records;
they catch up from the files as before. (A file rewritten in place within the clock tick of
its write, to the same size, keeps its mtime: like every (size, mtime) check of the catalog,
this one cannot see that.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # readers import this module (ingest); only the writer needs pyarrow (and
    # file_stats, ~1.5 ms of a cold open with the json module it loads)
    import pyarrow as pa

    from art.store.file_stats import FileStats


class OwnFile(NamedTuple):
    """One file as the writer left it: where, which step, its identity and its counts."""

    path: Path
    split: str
    step: int
    inode: int
    bytes: int
    mtime_ns: int
    stats: FileStats

    def unchanged(self) -> bool:
        """The file is still the one written (same inode, size and mtime; not a link)."""
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return False
        return (st.st_ino, st.st_size, st.st_mtime_ns) == (self.inode, self.bytes, self.mtime_ns)


def own_file(table: pa.Table, dir_fd: int, name: str, path: Path, split: str, step: int) -> OwnFile:
    """The record of `table` just written as `name` in the folder `dir_fd` (shown as `path`)."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    from art.store.file_stats import FileStats, footer_counts
    from art.store.parquet import FORMAT_VERSION

    counts = footer_counts(table.schema.metadata or {})
    if counts is None:
        raise ValueError("the table lacks the writer's counts")  # groups_to_table always adds them
    groups, trajectories, exceptions = counts
    stats = FileStats(table.num_rows, groups, trajectories, exceptions, FORMAT_VERSION, None)
    return OwnFile(path, split, step, st.st_ino, st.st_size, st.st_mtime_ns, stats)


# What the background catch-up has for a model: the files it wrote since the last catch-up,
# or None when it must look at everything (the first catch-up of a process, or unknown changes).
Pending = list[OwnFile] | None


def merge(old: Pending, new: Pending) -> Pending:
    if old is None or new is None:
        return None
    return [*old, *new]
