"""art.connect(): the relations a notebook queries, and that holding one never blocks a writer."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import art
from art import Model, TrajectoryGroup

from .conftest import traj


async def logged_store(tmp_path: Path) -> Path:
    a = Model(name="a", project="p1", base_path=str(tmp_path), report_metrics=[])
    b = Model(name="b", project="p2", base_path=str(tmp_path), report_metrics=[])
    for step in range(3):
        g = TrajectoryGroup(
            [traj(step / 2, {"ok": True}, metadata={"k": step}), traj(0.0, {"ok": False})],
            metadata={"scenario": f"s{step}"},
        )
        await a.log([g], split="train", step=step)
        await a.log(split="train", step=step + 1, metrics={"loss": 1.0 / (step + 1)})
    await b.log([TrajectoryGroup([ValueError("x")]), TrajectoryGroup([traj(1.0)])], split="val", step=5)
    return tmp_path


async def test_relations_after_known_logs(tmp_path: Path) -> None:
    con = art.connect(await logged_store(tmp_path))
    runs = con.execute(
        "SELECT project, model, first_step, last_step, log_calls, trajectory_files, trajectories, exceptions "
        "FROM runs ORDER BY project"
    ).fetchall()
    assert runs == [("p1", "a", 0, 3, 6, 3, 6, 0), ("p2", "b", 5, 5, 1, 1, 1, 1)]
    assert con.execute(
        "SELECT step, value FROM history WHERE model = 'a' AND metric = 'train/loss' ORDER BY step"
    ).fetchall() == [(1, 1.0), (2, 0.5), (3, 1 / 3)]
    wide = con.execute(
        "SELECT step, metrics['train/reward'], metrics['train/loss'] FROM history_by_step "
        "WHERE model = 'a' ORDER BY step"
    ).fetchall()
    assert wide == [(0, 0.0, None), (1, 0.25, 1.0), (2, 0.5, 0.5), (3, None, 1 / 3)]
    rows = con.execute(
        "SELECT step, group_index, trajectory_index, reward, metrics->>'ok', metadata->>'k', "
        "group_metadata->>'scenario', messages[1].content FROM trajectories WHERE model = 'a' "
        "ORDER BY step, trajectory_index"
    ).fetchall()
    assert rows[2] == (1, 0, 0, 0.5, "true", "1", "s1", "2+2?")
    assert len(rows) == 6
    only_b = con.execute("SELECT count(*), sum(reward) FROM trajectories_of('p2', 'b', 'val')").fetchone()
    assert only_b == (1, 1.0)
    pivot = con.execute(
        "PIVOT (SELECT step, metric, value FROM history WHERE model = 'a') ON metric USING first(value) "
        "GROUP BY step ORDER BY step"
    )
    columns = [d[0] for d in pivot.description]
    assert "train/loss" in columns and [r[0] for r in pivot.fetchall()] == [0, 1, 2, 3]


def test_empty_store_has_every_relation(tmp_path: Path) -> None:
    con = art.connect(tmp_path)
    for rel in ("runs", "models", "history", "history_by_step", "trajectory_files", "trajectories"):
        assert con.execute(f"SELECT count(*) FROM {rel}").fetchone() == (0,)


def _writer(base: str, start: int, n: int) -> None:
    import asyncio

    m = Model(name="live", project="p", base_path=base, report_metrics=[])

    async def go() -> None:
        for step in range(start, start + n):
            await m.log([TrajectoryGroup([traj(1.0)])], split="val", step=step)

    asyncio.run(go())


def test_an_open_notebook_connection_does_not_block_a_writer(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    first = ctx.Process(target=_writer, args=(str(tmp_path), 0, 2))
    first.start()
    first.join(60)
    con = art.connect(tmp_path)
    assert con.execute("SELECT max(step) FROM history").fetchone() == (1,)
    t0 = time.monotonic()
    second = ctx.Process(target=_writer, args=(str(tmp_path), 2, 5))
    second.start()
    second.join(60)
    assert second.exitcode == 0 and time.monotonic() - t0 < 30
    assert con.execute("SELECT max(step) FROM history").fetchone() == (1,)
    con.close()
    assert art.connect(tmp_path).execute("SELECT max(step) FROM history").fetchone() == (6,)


async def test_a_model_and_its_store_copy_and_pickle_whole(tmp_path: Path) -> None:
    """A Model is copied (pydantic's deep copy) and pickled (sent to a worker process) with its
    store: same base path, same kind, still immutable, and the copy logs into the same store."""
    import copy
    import pickle

    import pytest

    from art.store.local import LocalStore

    m = Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[])
    for step, again in enumerate((m.model_copy(deep=True), copy.deepcopy(m), pickle.loads(pickle.dumps(m)))):
        assert again.store == m.store == LocalStore(tmp_path)
        assert isinstance(again.store, LocalStore) and again.store.implicit
        with pytest.raises(AttributeError, match="cannot be changed"):
            again.store.base_path = Path("/elsewhere")  # type: ignore[misc]
        await again.log([TrajectoryGroup([traj(1.0)])], split="val", step=step)
    con = art.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (3,)
