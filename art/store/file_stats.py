"""What the catalog knows of one trajectory file: its counts, format version, or why it can't be read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from art.store.paths import is_stale_temp, is_step_name, validate_name

if TYPE_CHECKING:
    import pyarrow as pa


class FileStats(NamedTuple):
    rows: int | None
    groups: int | None
    trajectories: int | None
    exceptions: int | None
    format_version: int | None
    error: str | None


def file_stats(path: Path) -> FileStats:
    """Counts for the catalog, from a full read of the file; unreadable: an error text.

    Every page is decoded (and checked against its CRC, which our writer stores), so a file
    whose footer is intact but whose pages are damaged is flagged here, and the trajectories
    view leaves it out instead of failing on it. Counts kept in the footer are used only
    when they agree with the rows read.
    """
    import pyarrow.parquet as pq

    from art.store.parquet_read import file_version

    try:
        pf = pq.ParquetFile(path, page_checksum_verification=True)
        version = file_version(pf.schema_arrow, path)
        table = pf.read()
        if table.num_rows != pf.metadata.num_rows:
            raise ValueError(f"{table.num_rows} rows read, the footer says {pf.metadata.num_rows}")
        if version == 2:
            return _v2_stats(table, pf.schema_arrow.metadata or {})
        groups = len(set(table["group_index"].to_pylist()))
        return FileStats(table.num_rows, groups, table.num_rows, None, 1, None)
    except Exception as e:
        return FileStats(None, None, None, None, None, f"{path.name}: {type(e).__name__}: {e}")


def _v2_stats(table: pa.Table, meta: dict[bytes, bytes]) -> FileStats:
    """A v2 file's counts; the footer's exception count is trusted only if its other counts match."""
    import pyarrow.compute as pc

    group_index = table["group_index"]
    groups = len(pc.unique(group_index))
    trajectories = table.num_rows - table["trajectory_index"].null_count
    footer = footer_counts(meta)
    if footer is not None and footer[:2] == (groups, trajectories) and footer[2] >= 0:
        return FileStats(table.num_rows, groups, trajectories, footer[2], 2, None)
    first: dict[int, str] = {}
    for gi, gj in zip(group_index.to_pylist(), table["group_json"].to_pylist(), strict=True):
        first.setdefault(gi, gj)
    exceptions = sum(len(json.loads(gj).get("exceptions", [])) for gj in first.values())
    return FileStats(table.num_rows, groups, trajectories, exceptions, 2, None)


def footer_counts(meta: dict[bytes, bytes]) -> tuple[int, int, int] | None:
    from art.store.parquet import COUNT_KEYS

    try:
        groups, trajectories, exceptions = (
            int(meta[COUNT_KEYS[k]]) for k in ("groups", "trajectories", "exceptions")
        )
    except (KeyError, ValueError):
        return None
    return groups, trajectories, exceptions


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
            if f.suffix == ".parquet" and is_step_name(f.stem) and f.is_file():
                yield split_dir.name, int(f.stem), f
            elif is_stale_temp(f):
                f.unlink(missing_ok=True)
