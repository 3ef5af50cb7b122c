"""A fleet on one DuckLake, against real PostgreSQL and S3 servers on loopback: hosts racing
to create a fresh lake, two hosts logging the same step, re-logs beside appends, orphans,
retention, and `art lake`. Spawned processes stand for hosts."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time

import pytest
from typer.testing import CliRunner

import art
from art import Model, TrajectoryGroup
from art.store.lake import DuckLakeStore

from .conftest import traj
from .lake_fixtures import fresh_lake, lake_servers, referenced_files
from .servers import Lake

__all__ = ["lake_servers"]
pytestmark = pytest.mark.slow


def _first_log(store: DuckLakeStore, host: int, go: mp.Event, out: mp.Queue) -> None:
    go.wait(60)
    try:
        m = Model(name=f"host-{host}", project="race", report_metrics=[], store=store)
        asyncio.run(m.log([TrajectoryGroup([traj(0.5), traj(host / 10)])], split="val", step=0))
        out.put((host, "ok"))
    except Exception as e:
        out.put((host, f"{type(e).__name__}: {e}"))


def test_hosts_racing_their_first_log_on_a_fresh_lake_all_succeed(lake_servers: Lake) -> None:
    store = fresh_lake(lake_servers)
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    hosts = [ctx.Process(target=_first_log, args=(store, h, go, out)) for h in range(6)]
    for p in hosts:
        p.start()
    time.sleep(2.0)  # let them import; then all attach and log at once
    go.set()
    results = dict(out.get(timeout=120) for _ in hosts)
    for p in hosts:
        p.join(30)
    assert results == {h: "ok" for h in range(6)}
    con = art.connect(store)
    assert con.execute("SELECT count(*), count(DISTINCT model) FROM trajectories").fetchone() == (12, 6)


def _writer(store: DuckLakeStore, role: str, steps: int, out: mp.Queue) -> None:
    """dup-a / dup-b log the same steps of one model; `append` logs its own model; `relog`
    logs one step again and again. Every exception is counted, none expected."""
    raised: list[str] = []
    size = {"dup-a": 3, "dup-b": 5, "append": 2, "append2": 2, "relog": 4}[role]
    reward = {"dup-a": 0.25, "dup-b": 0.75, "append": 0.5, "append2": 0.5, "relog": 0.125}[role]
    name = "dup" if role.startswith("dup") else role
    model = Model(name=name, project="fleet", report_metrics=[], store=store)

    async def go() -> None:
        for i in range(steps):
            step = 0 if role == "relog" else i
            try:
                await model.log(
                    [TrajectoryGroup([traj(reward) for _ in range(size)])], split="val", step=step
                )
            except Exception as e:
                raised.append(f"{type(e).__name__}: {e}")

    asyncio.run(go())
    out.put((role, raised))


def test_two_hosts_on_one_step_keep_one_set_and_relogs_beside_appends_never_raise(lake_servers: Lake) -> None:
    store = fresh_lake(lake_servers)
    art.connect(store).close()  # created once, so the writers start together
    steps = 8
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    roles = ["dup-a", "dup-b", "append", "append2", "relog"]
    procs = [ctx.Process(target=_writer, args=(store, r, steps, out)) for r in roles]
    for p in procs:
        p.start()
    raised = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(30)
    assert [r for r in raised if r[1]] == []
    con = art.connect(store)
    per_step = con.execute(
        "SELECT step, count(*), count(DISTINCT reward), min(reward) FROM trajectories "
        "WHERE model = 'dup' GROUP BY step ORDER BY step"
    ).fetchall()
    # one host's set per step, never both: 3 rows of 0.25 or 5 rows of 0.75
    assert [s for s, *_ in per_step] == list(range(steps))
    assert all((n, k) in ((3, 1), (5, 1)) and r == {3: 0.25, 5: 0.75}[n] for _, n, k, r in per_step)
    assert con.execute(
        "SELECT count(*) FROM history WHERE model = 'dup' AND metric = 'val/reward'"
    ).fetchone() == (2 * steps,)
    assert con.execute("SELECT count(*) FROM trajectories WHERE model = 'relog'").fetchone() == (4,)
    assert con.execute("SELECT count(*) FROM trajectories WHERE model LIKE 'append%'").fetchone() == (
        2 * 2 * steps,
    )


async def test_maintain_deletes_orphaned_files_and_leaves_none(lake_servers: Lake) -> None:
    store = fresh_lake(lake_servers)
    m = Model(name="orphans", project="lake", report_metrics=[], store=store)
    for step in range(3):
        await m.log([TrajectoryGroup([traj(step / 10) for _ in range(12)])], split="val", step=step)
    prefix = store.data_path.removeprefix(f"s3://{lake_servers.s3.bucket}/")
    stray = f"{prefix}main/trajectories/ducklake-left-by-a-killed-writer.parquet"
    lake_servers.s3.client().put_object(Bucket=lake_servers.s3.bucket, Key=stray, Body=b"PAR1 partial")
    kept = store.maintain(keep_seconds=0)  # orphans younger than 15 minutes stay by default
    assert kept["orphans_deleted"] == 0 and stray in lake_servers.s3.keys(prefix)
    files = store.maintain(keep_seconds=0, orphan_seconds=0)
    assert files["orphans_deleted"] == 1
    assert lake_servers.s3.keys(prefix) == referenced_files(store)
    con = art.connect(store)
    assert con.execute("SELECT count(*) FROM trajectories WHERE model = 'orphans'").fetchone() == (36,)


def _env(store: DuckLakeStore) -> dict[str, str]:
    assert store.s3 is not None
    return {
        "ART_LAKE_CATALOG": store.catalog,
        "ART_LAKE_DATA_PATH": store.data_path,
        "AWS_ACCESS_KEY_ID": store.s3.key_id,
        "AWS_SECRET_ACCESS_KEY": store.s3.secret,
        "ART_S3_ENDPOINT": store.s3.endpoint,
        "ART_S3_USE_SSL": "false",
        "ART_S3_URL_STYLE": "path",
        "ART_DUCKDB_EXTENSION_DIR": str(store.extension_directory),
    }


async def test_art_lake_init_drop_run_and_maintain(
    lake_servers: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    from art.cli import app

    store = fresh_lake(lake_servers)
    for key, value in _env(store).items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    first = runner.invoke(app, ["lake", "init"])
    assert first.exit_code == 0 and "created" in first.output, first.output
    m = Model(name="old", project="keep", report_metrics=[], store=DuckLakeStore.from_env())
    for step in range(4):
        await m.log([TrajectoryGroup([traj(0.5) for _ in range(12)])], split="val", step=step)
    await Model(name="other", project="keep", report_metrics=[], store=m.store).log(
        [TrajectoryGroup([traj(1.0)])], split="val", step=0
    )
    older = runner.invoke(app, ["lake", "drop-run", "keep", "old", "--before-step", "2"])
    assert older.exit_code == 0 and "24 trajectory rows" in older.output, older.output
    con = art.connect(m.store)
    assert con.execute("SELECT min(step), count(*) FROM trajectories WHERE model = 'old'").fetchone() == (
        2,
        24,
    )
    con.close()
    whole = runner.invoke(app, ["lake", "drop-run", "keep", "old"])
    assert whole.exit_code == 0, whole.output
    maintained = runner.invoke(app, ["lake", "maintain", "--keep-seconds", "0", "--orphan-seconds", "0"])
    assert maintained.exit_code == 0 and "old_files_deleted" in maintained.output, maintained.output
    con = art.connect(m.store)
    assert con.execute("SELECT model, count(*) FROM trajectories GROUP BY model").fetchall() == [("other", 1)]
    assert con.execute("SELECT DISTINCT model FROM history").fetchall() == [("other",)]
    again = runner.invoke(app, ["lake", "init"])
    assert again.exit_code == 0 and "exists already" in again.output
    bad = runner.invoke(app, ["lake", "drop-run", "keep", "../x"])
    assert bad.exit_code == 1 and "model" in bad.output
