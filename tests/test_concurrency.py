"""Several processes on one base_path: 4 writers (two on the same model) and a reader polling
art.connect(). No lost rows, no lock error reaching a user."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pytest

import art

pytestmark = pytest.mark.slow


def _writer(base: str, model: str, split: str, calls: int, errors: mp.Queue) -> None:
    import asyncio

    from art import Model, Trajectory, TrajectoryGroup

    m = Model(name=model, project="conc", base_path=base, report_metrics=[])

    async def go() -> None:
        for step in range(calls):
            g = TrajectoryGroup(
                [
                    Trajectory(messages_and_choices=[{"role": "user", "content": "q"}], reward=step / calls)
                    for _ in range(4)
                ]
            )
            await m.log([g], split=split, step=step)

    try:
        asyncio.run(go())
    except Exception as e:  # reported to the parent: the test fails on any error
        errors.put(f"{model}/{split}: {type(e).__name__}: {e}")


def _reader(base: str, seconds: float, out: mp.Queue) -> None:
    import art

    reads, errors = 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            art.connect(base).execute("SELECT count(*) FROM history").fetchone()
            reads += 1
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.05)
    out.put((reads, errors))


def test_four_writers_and_a_reader_lose_nothing(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    calls = request.config.getoption("--writer-calls")
    ctx = mp.get_context("spawn")
    errors: mp.Queue = ctx.Queue()
    reads: mp.Queue = ctx.Queue()
    writers = [
        ctx.Process(target=_writer, args=(str(tmp_path), model, split, calls, errors))
        for model, split in (("trainer", "train"), ("trainer", "val"), ("eval-a", "val"), ("eval-b", "test"))
    ]
    reader = ctx.Process(target=_reader, args=(str(tmp_path), 8.0, reads))
    for p in [*writers, reader]:
        p.start()
    for p in writers:
        p.join(300)
    reader.join(60)
    assert all(p.exitcode == 0 for p in writers)
    assert errors.empty(), errors.get()
    n_reads, read_errors = reads.get(timeout=10)
    assert read_errors == [] and n_reads > 0

    con = art.connect(tmp_path)
    per_split = dict(
        con.execute(
            "SELECT model || '/' || split, count(*) FROM history WHERE metric LIKE '%/reward' GROUP BY ALL"
        ).fetchall()
    )
    assert per_split == {
        "trainer/train": calls,
        "trainer/val": calls,
        "eval-a/val": calls,
        "eval-b/test": calls,
    }
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (4 * calls,)
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (16 * calls,)
    for model in ("trainer", "eval-a", "eval-b"):
        lines = (tmp_path / "conc" / "models" / model / "history.jsonl").read_text().splitlines()
        assert len(lines) == (2 * calls if model == "trainer" else calls)
