"""The catalog: another process sees a logged step; it is rebuilt from the files alone."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import art
from art import Model
from art.store.catalog import Catalog, CatalogRebuiltWarning
from art.store.catalog_file import CatalogDamagedWarning

from .conftest import DATA, group


def _count_in_other_process(base: str, queue: mp.Queue) -> None:
    con = art.connect(base)
    queue.put(con.execute("SELECT count(*), max(step) FROM history WHERE metric = 'val/reward'").fetchone())


def count_in_other_process(base: Path) -> tuple[int, int]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_count_in_other_process, args=(str(base), q))
    p.start()
    result = q.get(timeout=60)
    p.join(30)
    return result


async def test_a_separate_process_sees_the_step_once_log_returns(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    for step in range(3):
        await m.log([group(1.0, 0.0)], split="val", step=step)
    assert count_in_other_process(tmp_path) == (3, 2)


def _tables(base: Path) -> dict[str, list]:
    con = art.connect(base)
    return {
        name: sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=lambda r: tuple(map(str, r)))
        for name in ("models", "trajectory_files", "history")
    }


async def test_rebuild_gives_the_same_catalog(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    for step in range(4):
        await m.log([group(1.0, 0.0), group(0.5)], split="train", step=step)
        await m.log(split="train", step=step + 1, metrics={"loss": 1.0 / (step + 1)})
    before = _tables(tmp_path)
    art.rebuild(tmp_path)
    assert _tables(tmp_path) == before
    assert len(before["history"]) > 0 and len(before["trajectory_files"]) == 4


def test_catalog_imports_stores_written_by_art(tmp_path: Path) -> None:
    for version in ("art-0.5.9", "art-0.5.23"):
        shutil.copytree(DATA / version / "art-fixture", tmp_path / version / "art-fixture")
        con = art.connect(tmp_path / version)
        files, errors = con.execute("SELECT count(*), count(error) FROM trajectory_files").fetchone()
        assert (files, errors) == (9, 0)
        splits = con.execute("SELECT DISTINCT split FROM history ORDER BY split").fetchall()
        assert splits == [("train",), ("val",)]
        losses = con.execute("SELECT count(*) FROM history WHERE metric = 'train/loss'").fetchone()[0]
        assert losses == 6


async def test_a_damaged_catalog_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], step=0)
    m.store.flush()  # the writer's background catch-up must not run after the damage below
    (tmp_path / "catalog.duckdb").write_bytes(b"not a database at all" * 100)
    with pytest.warns(CatalogDamagedWarning):  # a reader reads the files and writes nothing
        con = art.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM history WHERE metric='val/reward'").fetchone() == (1,)
    assert (tmp_path / "catalog.duckdb").read_bytes().startswith(b"not a database")
    with pytest.warns(CatalogRebuiltWarning):  # the next writer moves it aside and rebuilds it
        Catalog(tmp_path).sync()
    assert list(tmp_path.glob("catalog.duckdb.damaged-*"))
    con = art.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM history WHERE metric='val/reward'").fetchone() == (1,)


async def test_deleted_catalog_is_recreated_from_files(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0)], step=0)
    Catalog(tmp_path).sync()
    (tmp_path / "catalog.duckdb").unlink()
    con = art.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (1,)


async def test_a_store_deleted_before_its_catch_up_is_not_recreated(tmp_path: Path) -> None:
    """A store removed (rm -rf) while its writer still had a catch-up pending stays removed:
    the catch-up (at the latest, the one at exit) made the folder and an empty catalog."""
    from art.store.catalog import catalog_for

    base = tmp_path / "store"
    m = Model(name="agent", project="proj", base_path=str(base), report_metrics=[])
    await m.log([group(1.0)], step=0)
    shutil.rmtree(base)  # within the catch-up's wait to batch calls (1 s)
    catalog_for(base).flush()
    assert not base.exists()


def test_a_relative_base_path_keeps_its_catalog_after_a_chdir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The per-process Catalog is keyed and built on the absolute path: a later chdir must not
    make a writer's catch-up create a catalog in the new working directory."""
    import asyncio

    from art.store.catalog import catalog_for

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    (tmp_path / "a" / ".art").mkdir()
    art.rebuild(".art")  # the first Catalog of this store is made from a relative path
    monkeypatch.chdir(tmp_path / "b")
    m = art.Model(name="m", project="p", base_path=str(tmp_path / "a" / ".art"), report_metrics=[])
    asyncio.run(m.log(None, metrics={"x": 1}, step=1))
    catalog_for(tmp_path / "a" / ".art").flush()
    assert not (tmp_path / "b" / ".art").exists()
    assert art.connect(tmp_path / "a" / ".art").execute("SELECT count(*) FROM history").fetchone() == (1,)


async def test_a_store_path_with_a_question_mark_works_without_a_catalog(tmp_path: Path) -> None:
    """DuckDB cuts a database path at its first '?' to name the log; such a store keeps every
    step in its files, says once why it has no catalog, and refuses a rebuild by name."""
    from art.errors import CatalogPathError
    from art.store.catalog import NoCatalogWarning

    base = tmp_path / "runs?v2"
    m = Model(name="agent", project="proj", base_path=str(base), report_metrics=[])
    with pytest.warns(NoCatalogWarning, match=r"contains '\?'"):
        await m.log([group(1.0, 0.0)], split="val", step=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per store, not once per step
        await m.log([group(0.5)], split="val", step=1)
        m.store.flush()
        con = art.connect(base)
    steps = con.execute("SELECT count(*), max(step) FROM history WHERE metric = 'val/reward'").fetchone()
    assert steps == (2, 1)
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (3,)
    assert not (base / "catalog.duckdb").exists()
    assert not list(tmp_path.glob("runs.wal*"))
    with pytest.raises(CatalogPathError, match=r"runs[?]v2"):
        art.rebuild(base)


async def test_a_step_logged_again_in_place_is_counted_again_without_a_folder_change(
    tmp_path: Path,
) -> None:
    """openpipe-art writes a step logged again over its old file (same inode, the folder
    unchanged), then appends the step's history line: the catch-up looks again at the files of
    the steps new history lines name. A file rewritten by hand, with no history line, is
    counted again once a file lands in (or leaves) its folder."""
    m = Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])
    await m.log([group(1.0, 0.0)], split="val", step=0)
    await m.log([group(1.0, 0.0, 0.5), group(0.25)], split="val", step=1)
    m.store.flush()
    split_dir = tmp_path / "p" / "models" / "m" / "trajectories" / "val"
    st = split_dir.stat()
    os.utime(split_dir, ns=(st.st_atime_ns, st.st_mtime_ns - 10**10))  # settled long ago
    Catalog(tmp_path).rebuild()  # a writer's catalog that has listed the settled folder
    settled = split_dir.stat()
    two, four = (pq.read_table(split_dir / f"000{i}.parquet") for i in (0, 1))

    def rewrite_in_place(name: str, table: pa.Table) -> None:  # as pyarrow's write_table(path) does
        with open(split_dir / name, "r+b") as f:
            f.truncate(0)
            pq.write_table(table, f)
        os.utime(split_dir, ns=(settled.st_atime_ns, settled.st_mtime_ns))

    def counted() -> list[tuple]:
        with art.connect(tmp_path) as con:
            assert con.execute("SELECT count(*) FROM trajectories").fetchone()[0] == sum(
                n for _, n in con.execute("SELECT step, trajectories FROM trajectory_files").fetchall()
            )  # the view and the counts agree
            return con.execute("SELECT step, trajectories FROM trajectory_files ORDER BY step").fetchall()

    assert counted() == [(0, 2), (1, 4)]
    rewrite_in_place("0000.parquet", four)
    with open(split_dir.parents[1] / "history.jsonl", "a") as f:  # openpipe-art's line for it
        f.write(json.dumps({"val/reward": 0.5, "step": 0, "recorded_at": "2026-01-01T00:00:00"}) + "\n")
    assert split_dir.stat().st_mtime_ns == settled.st_mtime_ns
    assert counted() == [(0, 4), (1, 4)]  # a reader's catch-up
    rewrite_in_place("0000.parquet", two)  # by hand, no history line: seen when the folder changes
    shutil.copyfile(split_dir / "0001.parquet", split_dir / "0002.parquet")
    assert counted() == [(0, 2), (1, 4), (2, 4)]
