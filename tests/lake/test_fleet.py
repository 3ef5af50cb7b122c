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

from ..conftest import traj
from ..servers import Lake
from .fixtures import fresh_lake, referenced_files

pytestmark = pytest.mark.slow


ROLES = {  # role: (model, trajectories per step, reward)
    "dup-a": ("dup", 3, 0.25),  # dup-a and dup-b log the same steps of one model
    "dup-b": ("dup", 5, 0.75),
    "append-1": ("append-1", 2, 0.5),  # the others append their own model
    "append-2": ("append-2", 2, 0.5),
    "append-3": ("append-3", 2, 0.5),
    "relog": ("relog", 4, 0.125),  # logs step 0 again and again
}


def _host(store: DuckLakeStore, role: str, steps: int, go: mp.Event, out: mp.Queue) -> None:
    """One host: waits for the others, then logs; its first log() is on a lake nobody created.
    Every exception is reported, none expected."""
    name, size, reward = ROLES[role]
    model = Model(name=name, project="fleet", report_metrics=[], store=store)
    raised: list[str] = []

    async def go_log() -> None:
        for i in range(steps):
            step = 0 if role == "relog" else i
            try:
                await model.log(
                    [TrajectoryGroup([traj(reward) for _ in range(size)])], split="val", step=step
                )
            except Exception as e:
                raised.append(f"{type(e).__name__}: {e}")

    go.wait(120)
    asyncio.run(go_log())
    out.put((role, raised))


def test_a_fleet_on_a_fresh_lake(lake_servers: Lake) -> None:
    """6 hosts race their first log() on a fresh lake; two log the same steps; one re-logs a
    step beside the appends. 0 raised, one set of rows per step, nothing lost to maintain."""
    store = fresh_lake(lake_servers)
    steps = 6
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    hosts = [ctx.Process(target=_host, args=(store, role, steps, go, out)) for role in ROLES]
    for p in hosts:
        p.start()
    time.sleep(2.0)  # let them import; then all attach and log at once
    t0 = time.perf_counter()
    go.set()
    raised = dict(out.get(timeout=300) for _ in hosts)
    print(f"\n6 hosts x {steps} log() calls from a fresh lake: {time.perf_counter() - t0:.1f} s")
    for p in hosts:
        p.join(30)
    assert raised == {role: [] for role in ROLES}
    con = art.connect(store)
    per_step = con.execute(
        "SELECT step, count(*), count(DISTINCT reward), min(reward) FROM trajectories "
        "WHERE model = 'dup' GROUP BY step ORDER BY step"
    ).fetchall()
    # one host's set per step, never both: 3 rows of 0.25 or 5 rows of 0.75
    assert [s for s, *_ in per_step] == list(range(steps))
    assert all((n, k) in ((3, 1), (5, 1)) and r == {3: 0.25, 5: 0.75}[n] for _, n, k, r in per_step)
    counts = "SELECT model, count(*), count(DISTINCT step) FROM trajectories GROUP BY model ORDER BY model"
    expected = [(f"append-{i}", 2 * steps, steps) for i in (1, 2, 3)]
    assert con.execute(counts).fetchall()[:3] == expected
    assert con.execute("SELECT count(*) FROM trajectories WHERE model = 'relog'").fetchone() == (4,)
    history = "SELECT model, count(*) FROM history WHERE metric = 'val/reward' GROUP BY model ORDER BY model"
    logged = [
        ("append-1", steps),
        ("append-2", steps),
        ("append-3", steps),
        ("dup", 2 * steps),
        ("relog", steps),
    ]
    assert con.execute(history).fetchall() == logged
    rows = con.execute(counts).fetchall()
    con.close()
    files = store.maintain(keep_seconds=0, orphan_seconds=0)
    con = art.connect(store)
    assert con.execute(counts).fetchall() == rows
    assert con.execute(history).fetchall() == logged
    assert files["trajectories_files_after"] <= max(1, files["trajectories_files_before"])


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
    assert bad.exit_code == 2 and "model" in bad.output  # a bad name is bad usage, as everywhere
