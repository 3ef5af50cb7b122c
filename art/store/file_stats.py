"""What the catalog knows of one trajectory file: its counts, format version, or why it can't be read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from art.store.paths import is_stale_temp, validate_name


@dataclass(frozen=True)
class FileStats:
    rows: int | None
    groups: int | None
    trajectories: int | None
    exceptions: int | None
    format_version: int | None
    error: str | None


def file_stats(path: Path) -> FileStats:
    """Counts for the catalog from the footer and two small columns; unreadable: an error text."""
    import pyarrow.parquet as pq

    from art.store.parquet import COUNT_KEYS, file_version

    try:
        pf = pq.ParquetFile(path)
        version = file_version(pf.schema_arrow, path)
        meta = pf.schema_arrow.metadata or {}
        if version == 2 and all(key in meta for key in COUNT_KEYS.values()):
            groups, trajectories, exceptions = (
                int(meta[COUNT_KEYS[k]]) for k in ("groups", "trajectories", "exceptions")
            )
            return FileStats(pf.metadata.num_rows, groups, trajectories, exceptions, 2, None)
        if version == 2:
            t = pf.read(columns=["group_index", "trajectory_index", "group_json"])
            first: dict[int, str] = {}
            for gi, gj in zip(t["group_index"].to_pylist(), t["group_json"].to_pylist(), strict=True):
                first.setdefault(gi, gj)
            exceptions = sum(len(json.loads(gj).get("exceptions", [])) for gj in first.values())
            return FileStats(
                pf.metadata.num_rows,
                len(first),
                t.num_rows - t["trajectory_index"].null_count,
                exceptions,
                2,
                None,
            )
        t = pf.read(columns=["group_index"])
        groups = len(set(t["group_index"].to_pylist()))
        return FileStats(pf.metadata.num_rows, groups, pf.metadata.num_rows, None, 1, None)
    except Exception as e:
        return FileStats(None, None, None, None, None, f"{type(e).__name__}: {e}")


def trajectory_files(model_dir: Path) -> Iterator[tuple[str, int, Path]]:
    """(split, step, path) of every trajectory file of a model; stale temp files are removed."""
    root = model_dir / "trajectories"
    if not root.is_dir():
        return
    for split_dir in sorted(root.iterdir()):
        if not split_dir.is_dir() or split_dir.is_symlink():
            continue
        try:
            validate_name("split", split_dir.name)
        except ValueError:
            continue
        for f in sorted(split_dir.iterdir()):
            if f.suffix == ".parquet" and f.stem.isdigit() and f.is_file():
                yield split_dir.name, int(f.stem), f
            elif is_stale_temp(f):
                f.unlink(missing_ok=True)
