"""_register_files writes each file's walk facts and counts to its own catalog column."""

from __future__ import annotations

from pathlib import Path

import duckdb

from art.store.file_stats import FileStats
from art.store.ingest import NewFile, _register_files
from art.store.sql import run


def test_every_field_lands_in_its_own_column_errors_too(tmp_path: Path) -> None:
    con = duckdb.connect()
    run(con, "local/schema_trajectory_files")
    good = NewFile("p/models/m/trajectories/val/0001.parquet", "p", "m", "val", 1, tmp_path / "a", 11, 12)
    bad = NewFile("p/models/m/trajectories/train/0002.parquet", "p", "m", "train", 2, tmp_path / "b", 21, 22)
    stats = {
        good.path: FileStats(3, 4, 5, 6, 2, None),
        bad.path: FileStats(None, None, None, None, None, "bad page"),
    }
    _register_files(con, [good, bad], stats)
    rows = con.execute(
        "SELECT path, project, model, split, step, rows, groups, trajectories, exceptions, bytes,"
        " mtime_ns, format_version, error FROM trajectory_files ORDER BY step"
    ).fetchall()
    assert rows == [
        (good.rel, "p", "m", "val", 1, 3, 4, 5, 6, 11, 12, 2, None),
        (bad.rel, "p", "m", "train", 2, None, None, None, None, 21, 22, None, "bad page"),
    ]
