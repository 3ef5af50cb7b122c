"""A writer killed (SIGKILL) at random moments inside log() loses no completed step and
leaves nothing that breaks a reader. Real child processes (spawn), real kills."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import art
from art.store.catalog import catalog_for
from art.store.history import read_rows
from art.store.parquet_read import read_groups

pytestmark = pytest.mark.slow


def _log_forever(base: str, acks: str, start: int, ready: str) -> None:
    import asyncio

    from art import Model, Trajectory, TrajectoryGroup

    model = Model(name="victim", project="crash", base_path=base, report_metrics=[])
    Path(ready).touch()  # imports done: the parent's kill lands inside log() calls, not in imports
    big = "x" * 20_000

    async def go() -> None:
        step = start
        while True:
            groups = [
                TrajectoryGroup(
                    [
                        Trajectory(
                            messages_and_choices=[{"role": "user", "content": f"{step}-{i}-{big}"}],
                            reward=float(i % 3),
                            metrics={"i": i},
                        )
                        for i in range(8)
                    ]
                )
                for _ in range(8)
            ]
            await model.log(groups, split="train", step=step)
            with open(acks, "a") as f:
                f.write(f"{step}\n")
            step += 1

    asyncio.run(go())


def test_killed_writer_loses_no_completed_step(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    rounds = request.config.getoption("--kill-rounds")
    rng = random.Random(1234)
    ctx = mp.get_context("spawn")
    acks = tmp_path / "acks.txt"
    base = tmp_path / "store"
    next_step = 0
    log_seconds = 0.3  # one log() call, re-measured each round (the machine may be loaded)
    for i in range(rounds):
        ready = tmp_path / f"ready-{i}"
        child = ctx.Process(target=_log_forever, args=(str(base), str(acks), next_step, str(ready)))
        child.start()
        _wait_for(ready.exists)
        t0 = time.monotonic()
        if i % 2:  # odd rounds: after this child's first completed step, inside its second log()
            before = _acks(acks)
            _wait_for(lambda n=before: _acks(acks) > n)
            log_seconds = time.monotonic() - t0
        time.sleep(rng.random() * log_seconds * 1.5)  # somewhere in a log() (or between two)
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        done = [int(x) for x in acks.read_text().split()] if acks.exists() else []
        next_step = (max(done) + 2) if done else next_step + 1
    completed = sorted({int(x) for x in acks.read_text().split()})
    assert len(completed) >= rounds // 2, "the children must complete steps for this test to mean anything"

    model_dir = base / "crash" / "models" / "victim"
    files = sorted((model_dir / "trajectories" / "train").iterdir())
    parquet = [f for f in files if f.name.endswith(".parquet")]
    # every visible file is complete and readable, including by a glob over the folder
    for f in parquet:
        assert len(read_groups(f)) == 8
    assert duckdb.connect().execute(  # a plain DuckDB: art.connect() reads only via its views
        "SELECT count(*) FROM read_parquet(?)", [str(model_dir / "trajectories/train/*.parquet")]
    ).fetchone()[0] == 64 * len(parquet)
    # every completed step is in the files, the history and the catalog
    steps_on_disk = {int(f.stem) for f in parquet}
    assert set(completed) <= steps_on_disk
    history_steps = [r.step for r in read_rows(model_dir / "history.jsonl")]
    assert set(completed) <= set(history_steps)
    con = art.connect(base)
    catalog_steps = {s for (s,) in con.execute("SELECT DISTINCT step FROM history").fetchall()}
    assert set(completed) <= catalog_steps
    assert con.execute("SELECT count(*) FROM trajectory_files WHERE error IS NOT NULL").fetchone() == (0,)
    # a torn history line, if any, is at most one per kill and never breaks a reader
    lines = (model_dir / "history.jsonl").read_text().splitlines()
    bad = [line for line in lines if not _parses(line)]
    assert len(bad) <= rounds
    assert pq.read_table(parquet[-1]).num_rows == 64
    # temp files of killed writers are cleaned up by the next writer's catch-up (readers write nothing)
    catalog_for(base).sync()
    assert not [f for f in (model_dir / "trajectories" / "train").iterdir() if f.name.endswith(".tmp")]


def _acks(acks: Path) -> int:
    return len(acks.read_text().split()) if acks.exists() else 0


def _wait_for(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the child made no progress"
        time.sleep(0.01)


def _parses(line: str) -> bool:
    try:
        json.loads(line)
        return True
    except ValueError:
        return False
