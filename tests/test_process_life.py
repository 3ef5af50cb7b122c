"""A process's life around the store: a script that logs once and exits always exits 0 (the
background catalog catch-up leaves DuckDB before the interpreter finalizes), and a child forked
while the parent held the catalog lock works."""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import art
from art import Model, Trajectory, TrajectoryGroup
from art.store.catalog import catalog_for
from art.store.history import read_rows

pytestmark = pytest.mark.slow

LOG_ONCE = textwrap.dedent(
    """
    import asyncio, sys
    import art
    import art.store.catch_up

    art.store.catch_up.EXIT_GRACE = 0.2  # a short grace keeps the test short
    m = art.Model(name="big", project="p", base_path=sys.argv[1], report_metrics=[])
    asyncio.run(m.log(split="val", step=int(sys.argv[2]), metrics={"reward": 1.0}))
    """
)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,700 steps of 8x8 groups with 4 KB messages, made by copying one logged step."""
    base = tmp_path_factory.mktemp("big")
    m = Model(name="big", project="p", base_path=str(base), report_metrics=[])
    pad = "x" * 4096
    groups = [
        TrajectoryGroup(
            [
                Trajectory(messages_and_choices=[{"role": "user", "content": f"{g}{t}{pad}"}], reward=t)
                for t in range(8)
            ]
        )
        for g in range(8)
    ]
    asyncio.run(m.log(groups, split="train", step=0))
    folder = base / "p/models/big/trajectories/train"
    history = base / "p/models/big/history.jsonl"
    row = json.loads(history.read_text())
    with history.open("a") as f:
        for step in range(1, 3700):
            shutil.copyfile(folder / "0000.parquet", folder / f"{step:04d}.parquet")
            f.write(json.dumps({**row, "step": step, "training_step": step}) + "\n")
    return base


def test_a_script_that_logs_once_exits_zero_while_the_catalog_catches_up(
    big_store: Path, tmp_path: Path
) -> None:
    lanes = [tmp_path / f"lane{i}" for i in range(2)]
    for lane in lanes:
        shutil.copytree(big_store, lane)

    def run(lane: Path, first: int) -> list[tuple[int, str]]:
        results = []
        for step in range(first, first + 5):
            for stale in lane.glob("catalog.duckdb*"):
                stale.unlink()  # the catalog has all 3,700 steps to catch up on
            out = subprocess.run(
                [sys.executable, "-c", LOG_ONCE, str(lane), str(step)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            results.append((out.returncode, out.stderr[-300:]))
        return results

    with ThreadPoolExecutor(len(lanes)) as pool:
        results = [r for rs in pool.map(run, lanes, [10_000, 20_000]) for r in rs]
    assert results == [(0, "")] * len(results)
    for lane, first in zip(lanes, [10_000, 20_000], strict=True):  # no step lost
        rows = read_rows(lane / "p/models/big/history.jsonl")
        assert [r.step for r in rows if r.split == "val"] == list(range(first, first + 5))


def _child(base: str, out: mp.Queue) -> None:
    try:
        m = Model(name="agent", project="proj", base_path=base, report_metrics=[])
        asyncio.run(m.log(split="val", step=1, metrics={"reward": 0.5}))
        with m.store.history("proj", "agent") as cur:
            mine = cur.execute("SELECT count(*) FROM history WHERE metric = 'val/reward'").fetchone()[0]
        with art.connect(base) as con:
            seen = con.execute("SELECT count(*) FROM history WHERE metric = 'val/reward'").fetchone()[0]
        out.put(("ok", mine, seen))
    except Exception as e:
        out.put(("error", f"{type(e).__name__}: {e}"))


def test_a_child_forked_while_the_parent_holds_the_catalog_lock_works(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    asyncio.run(m.log(split="val", step=0, metrics={"reward": 1.0}))
    with m.store.history("proj", "agent") as cur:  # the parent's history mirror exists
        cur.execute("SELECT count(*) FROM history").fetchone()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with catalog_for(tmp_path)._write_lock():
            held.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(str(tmp_path), out))
    child.start()
    threading.Timer(0.5, release.set).start()
    child.join(120)
    holder.join()
    assert child.exitcode == 0
    assert out.get(timeout=10) == ("ok", 2, 2)


def test_a_script_exits_promptly_while_another_process_holds_the_catalog_lock(tmp_path: Path) -> None:
    script = LOG_ONCE.replace('name="big", project="p"', 'name="agent", project="proj"')
    with catalog_for(tmp_path)._write_lock():
        start = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), "3"], capture_output=True, text=True, timeout=120
        )
        took = time.monotonic() - start
    assert (out.returncode, out.stderr) == (0, "")
    assert took < 8  # the catch-up waiting for the lock is cancelled after its grace
    assert [r.step for r in read_rows(tmp_path / "proj/models/agent/history.jsonl")] == [3]
