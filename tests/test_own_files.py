"""The writer's background catch-up records the files it wrote from what it knows of them
(art/store/own_files.py): the catalog then holds exactly what a rebuild from the files holds,
a file changed since it was written is read again, and readers still see every file."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

import art
from art import Model, TrajectoryGroup
from art.errors import OutsideStoreError
from art.store import bulk_stats
from art.store.catch_up import CatchUp

from .conftest import group, traj


def _catalog_rows(base: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The catalog file as it is (not caught up, as art.connect would): files and history."""
    con = duckdb.connect(str(base / "catalog.duckdb"), read_only=True)
    try:
        return {
            "files": con.execute("SELECT * FROM trajectory_files ORDER BY path").fetchall(),
            "history": con.execute("SELECT * FROM history ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[Path]]:
    """The files each catch-up of this test's store had to read in full to count them (an
    earlier test's background catch-up may still run: its calls are not this test's)."""
    calls: list[list[Path]] = []
    real = bulk_stats.bulk_file_stats_soon  # ingest imports it where new files are counted

    def spy(paths: list[Path], *args: Any, **kw: Any) -> Any:
        if all(p.is_relative_to(tmp_path) for p in paths):
            calls.append(list(paths))
        return real(paths, *args, **kw)

    monkeypatch.setattr(bulk_stats, "bulk_file_stats_soon", spy)
    return calls


async def test_the_catch_up_records_what_was_written_without_reading_it(
    tmp_path: Path, counted: list[list[Path]]
) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0, 0.0)], split="train", step=0)
    await m.log([group(0.75)], split="val", step=0)
    m.store.flush()  # a process's first catch-up of a model looks at everything
    # (how the first files split between catch-ups depends on when the background one ran)
    assert sorted({p.parent.name + "/" + p.name for c in counted for p in c}) == [
        "train/0000.parquet",
        "val/0000.parquet",
    ]
    first = len(counted)
    exc = TrajectoryGroup([traj(0.5)], exceptions=[RuntimeError("rollout failed")])
    await m.log([group(1.0, 0.0, 0.5), exc], split="train", step=1)
    await m.log([group(0.25)], split="val", step=1)
    await m.log([group(0.0)], split="train", step=1)  # replaces train/0001.parquet
    await m.log([TrajectoryGroup([])], split="train", step=2)
    await m.log([], split="train", step=3)
    await m.log(split="train", step=3, metrics={"loss": 0.5})
    m.store.flush()
    assert not any(counted[first:])  # nothing read in full
    caught_up = _catalog_rows(tmp_path)
    assert [r[0].split("/trajectories/")[1] for r in caught_up["files"]] == [
        "train/0000.parquet",
        "train/0001.parquet",
        "train/0002.parquet",
        "train/0003.parquet",
        "val/0000.parquet",
        "val/0001.parquet",
    ]
    art.rebuild(tmp_path)  # every file read again, in full
    assert _catalog_rows(tmp_path) == caught_up


async def test_a_file_changed_after_it_was_written_is_read_again(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], split="train", step=0)
    m.store.flush()
    await m.log([group(1.0, 0.5)], split="train", step=1)
    path = tmp_path / "proj/models/agent/trajectories/train/0001.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64  # damage a page, same size
    before = path.stat()
    path.write_bytes(bytes(data))
    # a change lands a clock tick later at least (within the same tick the mtime can stay as it
    # was, and no (size, mtime) check of the catalog can tell; see own_files.py)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 10_000_000))
    m.store.flush()
    (_, error), *_ = (r for r in _rows(tmp_path) if r[0].endswith("0001.parquet"))
    assert error is not None and "0001.parquet" in error


def _rows(base: Path) -> list[tuple[str, str | None]]:
    return [(r[0], r[-1]) for r in _catalog_rows(base)["files"]]


async def test_a_file_added_by_someone_else_is_seen_by_readers(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], split="train", step=0)
    m.store.flush()
    split_dir = tmp_path / "proj/models/agent/trajectories/train"
    shutil.copy(split_dir / "0000.parquet", split_dir / "0007.parquet")  # not by this writer
    await m.log([group(0.5)], split="train", step=1)
    m.store.flush()
    con = art.connect(tmp_path)
    steps = con.execute("SELECT step FROM trajectory_files ORDER BY step").fetchall()
    assert steps == [(0,), (1,), (7,)]
    art.rebuild(tmp_path)
    assert [r[0][-12:] for r in _rows(tmp_path)] == ["0000.parquet", "0001.parquet", "0007.parquet"]


def test_after_a_failed_catch_up_the_next_one_looks_at_everything() -> None:
    batches: list[dict[tuple[str, str], Any]] = []
    fail = threading.Event()

    def sync(batch: dict[tuple[str, str], Any], cancelled: Any) -> None:
        batches.append(batch)
        if fail.is_set():
            raise OSError("disk full")

    catch_up = CatchUp(sync, lambda old, new: None if old is None or new is None else old + new)
    key = ("proj", "agent")
    catch_up.soon(*key, ["a"])
    catch_up.flush()
    catch_up.soon(*key, ["b"])
    catch_up.soon(*key, ["c"])
    catch_up.flush()
    fail.set()
    catch_up.soon(*key, ["d"])
    with pytest.warns(RuntimeWarning, match="disk full"):
        catch_up.flush()
    fail.clear()
    catch_up.soon(*key, ["e"])
    catch_up.flush()
    catch_up.soon(*key, ["f"])
    catch_up.flush()
    catch_up.close()
    # the first is everything (None), then only what was reported, until one fails
    assert [b[key] for b in batches] == [None, ["b", "c"], ["d"], None, ["f"]]


async def test_a_file_left_by_a_failed_log_is_still_caught_up(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], split="train", step=0)
    m.store.flush()
    model_dir = tmp_path / "proj/models/agent"
    (model_dir / "history.jsonl").rename(model_dir / "elsewhere.jsonl")
    (model_dir / "history.jsonl").symlink_to(model_dir / "elsewhere.jsonl")
    with pytest.raises(OutsideStoreError):  # the step's file is replaced, its history line refused
        await m.log([group(0.5, 0.25)], split="train", step=0)
    (model_dir / "history.jsonl").unlink()
    (model_dir / "elsewhere.jsonl").rename(model_dir / "history.jsonl")
    await m.log([group(0.0)], split="train", step=1)
    m.store.flush()
    path = model_dir / "trajectories/train/0000.parquet"
    ((rel, *_, size, mtime_ns, _version, _error), _) = _catalog_rows(tmp_path)["files"]
    assert rel.endswith("train/0000.parquet")
    assert (size, mtime_ns) == (path.stat().st_size, path.stat().st_mtime_ns)


async def test_a_catalog_deleted_while_logging_is_filled_again_in_full(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], split="train", step=0)
    m.store.flush()
    (tmp_path / "catalog.duckdb").unlink()
    await m.log([group(0.5)], split="train", step=1)
    m.store.flush()
    assert [r[0][-12:] for r in _rows(tmp_path)] == ["0000.parquet", "0001.parquet"]
