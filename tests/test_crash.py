"""A writer killed (SIGKILL) at random moments inside log() loses no completed step and
leaves nothing that breaks a reader. Real child processes (spawn), real kills."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import art
from art.store.history import read_rows
from art.store.parquet import read_groups

pytestmark = pytest.mark.slow


def _log_forever(base: str, acks: str, start: int) -> None:
    import asyncio

    from art import Model, Trajectory, TrajectoryGroup

    model = Model(name="victim", project="crash", base_path=base, report_metrics=[])
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
    for _ in range(rounds):
        child = ctx.Process(target=_log_forever, args=(str(base), str(acks), next_step))
        acked = acks.stat().st_size if acks.exists() else 0
        child.start()
        # past the child's imports and first log() (however loaded the machine), then at a
        # random moment, somewhere in a later log()
        deadline = time.monotonic() + 120
        while (acks.stat().st_size if acks.exists() else 0) == acked and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.random() * 0.4)
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        done = [int(x) for x in acks.read_text().split()] if acks.exists() else []
        next_step = (max(done) + 2) if done else next_step + 1
    completed = sorted({int(x) for x in acks.read_text().split()})
    assert len(completed) >= rounds, "the children must have completed steps for this test to mean anything"

    model_dir = base / "crash" / "models" / "victim"
    files = sorted((model_dir / "trajectories" / "train").iterdir())
    parquet = [f for f in files if f.name.endswith(".parquet")]
    # every visible file is complete and readable, including by a glob over the folder
    for f in parquet:
        assert len(read_groups(f)) == 8
    assert art.connect(base).execute(
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
    # temp files of killed writers are cleaned up once the catalog catches up
    assert not [f for f in (model_dir / "trajectories" / "train").iterdir() if f.name.endswith(".tmp")]


def _parses(line: str) -> bool:
    try:
        json.loads(line)
        return True
    except ValueError:
        return False
