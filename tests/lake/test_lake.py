"""The store on DuckLake, against real servers on loopback: PostgreSQL holds the catalog,
moto's S3 server holds the data files. 4 writer processes stand for 4 hosts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import art
from art import LocalBackend, LocalStore, Model, TrainableModel, TrajectoryGroup
from art.checkpoints import best_steps
from art.errors import NotFoundError
from art.store.lake import DuckLakeStore
from art.ui.data import steps as step_picks
from art.ui.data import trajectories as step_page

from ..conftest import traj
from ..servers import Lake
from .fixtures import fresh_lake

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lake(lake_servers: Lake) -> DuckLakeStore:
    """Servers that cannot start fail the test (lake_fixtures), never skip it."""
    return fresh_lake(lake_servers)


def groups_for(step: int, k: int = 3) -> list[TrajectoryGroup]:
    return [
        TrajectoryGroup(
            [traj((step * 7 + i * 3 + g) % 10 / 10, {"ok": i % 2 == 0}) for i in range(k)],
            metrics={"judge": g / 4},
        )
        for g in range(2)
    ] + [TrajectoryGroup([ValueError("boom")])]


async def feed(model: Model, steps: int) -> None:
    for step in range(steps):
        await model.log(groups_for(step), split="train", step=step)
        await model.log(split="train", step=step + 1, metrics={"loss": 1.0 / (step + 1)})
        if step % 2 == 0:
            await model.log(groups_for(100 + step), split="val", step=step)


async def test_same_answers_as_a_local_store(lake: DuckLakeStore, tmp_path: Path) -> None:
    local = TrainableModel(
        name="same", project="lake", base_model="b", report_metrics=[], store=LocalStore(tmp_path / "local")
    )
    remote = TrainableModel(name="same", project="lake", base_model="b", report_metrics=[], store=lake)
    await local.register(LocalBackend(path=tmp_path / "local"))
    await remote.register(LocalBackend(path=tmp_path / "remote-ckpt"))
    await feed(local, 8)
    await feed(remote, 8)
    for kwargs in ({}, {"smoothing_window": 3}, {"mode": "min"}):
        assert await remote.best_step("val/reward", **kwargs) == pytest.approx(
            await local.best_step("val/reward", **kwargs)
        )
    assert await remote.best_step("train/loss", mode="min") == await local.best_step("train/loss", mode="min")
    queries = [
        # time/* is wall time (ART's automatic time/step_wall_s), different in every run
            "SELECT split, step, metric, round(value, 12) FROM history WHERE model = 'same' "
            "AND metric NOT LIKE 'time/%' ORDER BY ALL",
        "SELECT split, step, round(avg(reward), 12), count(*) FROM trajectories WHERE model = 'same' "
        "GROUP BY ALL ORDER BY ALL",
        "SELECT count(*) FROM trajectories_of('lake', 'same', 'val') WHERE (metrics->>'ok')::BOOLEAN",
        "SELECT split, group_index, round(reward, 12) FROM trajectories_of('lake', 'same', at_step := 2) "
        "ORDER BY ALL",
        "SELECT step, metrics['val/reward'] FROM history_by_step WHERE model = 'same' ORDER BY step",
        "SELECT first_step, last_step, log_calls, trajectory_files, trajectories, exceptions FROM runs "
        "WHERE model = 'same'",
    ]
    local_con = art.connect(tmp_path / "local")
    lake_con = art.connect(lake)
    for q in queries:
        assert lake_con.execute(q).fetchall() == local_con.execute(q).fetchall(), q
    # the dashboard's step page: the group that holds only an exception is there on both
    page = step_page(lake_con, "lake", "same", "val", 2)
    assert page == step_page(local_con, "lake", "same", "val", 2)
    assert [g["exceptions"][0]["message"] for g in page["groups"] if not g["trajectories"]] == ["boom"]


async def test_the_dashboard_offers_the_same_steps_as_a_local_store(
    lake: DuckLakeStore, tmp_path: Path
) -> None:
    """A step logged with no groups at all has nothing to show on either store: the step
    picker leaves it out on both (a step whose only group is empty keeps its placeholder)."""
    offered = []
    for store in (LocalStore(tmp_path / "local"), lake):
        model = Model(name="picks", project="lake", report_metrics=[], store=store)
        await model.log([TrajectoryGroup([traj(0.5)])], split="val", step=0)
        await model.log([TrajectoryGroup([])], split="val", step=1)
        await model.log([], split="val", step=2)
        await model.log(split="train", step=3, metrics={"loss": 0.5})
        offered.append(step_picks(art.connect(store), "lake", "picks")["splits"])
    assert offered[0] == offered[1] == {"val": [1, 0]}


async def test_logging_a_step_again_replaces_its_trajectories(lake: DuckLakeStore) -> None:
    m = Model(name="replace", project="lake", report_metrics=[], store=lake)
    await m.log(groups_for(1), split="val", step=5)
    await m.log([TrajectoryGroup([traj(1.0)])], split="val", step=5)
    con = art.connect(lake)
    assert con.execute(
        "SELECT count(*), sum(reward) FROM trajectories WHERE model = 'replace'"
    ).fetchone() == (1, 1.0)
    assert con.execute("SELECT count(DISTINCT seq) FROM history WHERE model = 'replace'").fetchone() == (2,)


async def test_missing_metric_deletes_nothing_on_the_lake_too(lake: DuckLakeStore, tmp_path: Path) -> None:
    m = TrainableModel(name="ckpt", project="lake", base_model="b", report_metrics=[], store=lake)
    await m.register(LocalBackend(path=tmp_path))
    for step in range(3):
        m.paths.checkpoint_dir(step).mkdir(parents=True)
    await m.log(split="val", step=1, metrics={"reward": 0.9})
    with pytest.warns(UserWarning, match="val/nope"):
        assert await m.delete_checkpoints("val/nope") == [0, 1, 2]
    with pytest.raises(ValueError, match="val/nope"):
        await m.best_step("val/nope")
    assert await m.delete_checkpoints() == [1, 2]
    assert sorted(p.name for p in m.paths.checkpoints.iterdir()) == ["0001", "0002"]
    # a lake keeps no model.json: a missing model is named with the runs that exist, no hint
    with pytest.raises(NotFoundError, match="no model 'ckp'") as e:
        best_steps(lake, "lake", "ckp", "val/reward")
    assert "stored as run" not in str(e.value)


def test_store_from_environment() -> None:
    env = {
        "ART_LAKE_CATALOG": "dbname=lake host=127.0.0.1",
        "ART_LAKE_DATA_PATH": "s3://b/p/",
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
        "ART_S3_ENDPOINT": "127.0.0.1:9",
        "ART_S3_USE_SSL": "false",
        "ART_S3_URL_STYLE": "path",
    }
    store = DuckLakeStore.from_env(env)
    assert store is not None and store.s3 is not None
    assert (store.s3.endpoint, store.s3.use_ssl, store.s3.url_style) == ("127.0.0.1:9", False, "path")
    assert DuckLakeStore.from_env({}) is None
    with pytest.raises(ValueError, match="ART_LAKE_DATA_PATH"):
        DuckLakeStore.from_env({"ART_LAKE_CATALOG": "x"})


async def test_cli_reads_and_maintains_the_lake(lake: DuckLakeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from art.cli import app

    m = Model(name="cli", project="lake", report_metrics=[], store=lake)
    for step, reward in enumerate([0.1, 0.8, 0.3]):
        await m.log([TrajectoryGroup([traj(reward)])], split="val", step=step)
    assert lake.s3 is not None
    for key, value in {
        "ART_LAKE_CATALOG": lake.catalog,
        "ART_LAKE_DATA_PATH": lake.data_path,
        "AWS_ACCESS_KEY_ID": lake.s3.key_id,
        "AWS_SECRET_ACCESS_KEY": lake.s3.secret,
        "ART_S3_ENDPOINT": lake.s3.endpoint,
        "ART_S3_USE_SSL": "false",
        "ART_S3_URL_STYLE": "path",
        "ART_DUCKDB_EXTENSION_DIR": str(lake.extension_directory),
    }.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    best = runner.invoke(app, ["best-step", "lake", "cli", "--json"])
    assert best.exit_code == 0, best.output
    import json

    assert json.loads(best.output)[0]["step"] == 1
    maintained = runner.invoke(app, ["maintain", "--keep-seconds", "0"])
    assert maintained.exit_code == 0 and "trajectories_files_after" in maintained.output
    rows = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM trajectories WHERE model = 'cli'", "--json"])
    assert json.loads(rows.output) == [{"n": 3}]


async def test_sql_typed_by_a_user_changes_nothing_and_reads_nothing_beyond_the_lake(
    lake: DuckLakeStore, tmp_path: Path
) -> None:
    """`art.connect(lake)` reads the lake, its data files on S3 included, and no other file:
    the lake is attached read-only and DuckDB's sandbox allows only the lake's data path;
    `art sql` and the dashboard also refuse DuckLake's maintenance, PostgreSQL's pass-through
    functions and SQL built at run time (query()) by name, and COPY as everywhere."""
    from art.analysis import sql
    from art.errors import ReadOnlyQueryError

    m = Model(name="sandboxed", project="lake", report_metrics=[], store=lake)
    for step in range(2):
        await m.log(groups_for(step), split="val", step=step)
    lake.maintain(keep_seconds=0)  # the inlined rows go to parquet files on S3
    await m.log(groups_for(2), split="val", step=2)  # a snapshot newer than the others
    outside = tmp_path / "secret.txt"
    outside.write_text("not the lake's")
    con = art.connect(lake)
    messages = "SELECT count(messages) FROM trajectories WHERE model = 'sandboxed'"
    assert con.execute(messages).fetchone() == (18,)
    assert con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'trajectories')").fetchone()[0] > 0
    snapshots = con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0]
    refused_by_duckdb = [  # art.connect() in a notebook: DuckDB's sandbox and the read-only lake
        f"SELECT * FROM read_text('{outside}')",
        "SELECT * FROM glob('s3://' || 'other-bucket/**')",
        "SET enable_external_access = true",
    ]
    refused_by_name = [  # art sql, the dashboard: refused before DuckDB sees them
        "SELECT * FROM ducklake_set_option('lake', 'parquet_compression', 'gzip')",
        "SELECT * FROM postgres_execute('__ducklake_metadata_lake', 'CREATE TABLE pwned (a INT)')",
        "SELECT * FROM ducklake_expire_snapshots('lake', older_than => now())",
    ]
    hidden = (  # the same, in SQL text built when the query runs: refused by name too
        "SELECT * FROM query('SELECT * FROM postgres_' || 'execute(''__ducklake_metadata_lake'', "
        "''COPY (SELECT 1) TO PROGRAM true'')')"
    )
    for statement in refused_by_duckdb + refused_by_name:
        with pytest.raises(duckdb.Error):
            con.execute(statement).fetchall()
    for statement in [*refused_by_name, hidden]:
        with pytest.raises(ReadOnlyQueryError, match="changes the store"):
            sql(lake, statement)
    assert con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone() == (snapshots,)
    assert con.execute(messages).fetchone() == (18,)
    assert sql(lake, messages).rows == [(18,)]


def _log_cost(store: DuckLakeStore, step: int, cost: float) -> None:
    """Another process (a restarted trainer, another host) logging to the same model."""
    store.log_step("lake", "totals", None, "train", step, {"costs/train/judge": cost})


def test_running_totals_live_in_the_lake(lake: DuckLakeStore) -> None:
    """`costs/cum/*` (ART's running totals) go on across processes and hosts from the lake's
    own record, not from each process's memory; a failed call adds nothing; dropping the
    run starts them again."""
    import multiprocessing as mp

    from art.store.lake_admin import drop_run

    cum = "costs/cum/train/judge"
    assert _row(lake, 0, 1.0)[cum] == 1.0
    other = mp.get_context("spawn").Process(target=_log_cost, args=(lake, 1, 2.0))
    other.start()
    other.join(120)
    assert other.exitcode == 0
    with pytest.raises(ValueError):  # refused before anything is written or counted
        lake.log_step("lake", "totals", None, "train", 2, {"costs/train/judge": "lots"})
    assert _row(lake, 2, 4.0)[cum] == 7.0  # 1 + 2 (the other process) + 4
    con = art.connect(lake)
    rows = con.execute(
        "SELECT step, value FROM history WHERE model = 'totals' AND metric = $m ORDER BY step", {"m": cum}
    ).fetchall()
    assert rows == [(0, 1.0), (1, 3.0), (2, 7.0)]
    drop_run(lake, "lake", "totals")
    assert _row(lake, 0, 0.5)[cum] == 0.5


def _row(store: DuckLakeStore, step: int, cost: float) -> dict:
    return store.log_step("lake", "totals", None, "train", step, {"costs/train/judge": cost})


async def test_trajectories_of_keeps_the_views_columns_and_takes_constants_only(lake: DuckLakeStore) -> None:
    """The macro renames the row's project, model, split and step (by position) so that a bare
    column as an argument is an error: the columns, their order and types stay the view's."""
    m = Model(name="columns", project="lake", report_metrics=[], store=lake)
    await m.log(groups_for(1), split="val", step=1)
    con = art.connect(lake)
    view = [d[:2] for d in con.execute("SELECT * FROM trajectories LIMIT 0").description]
    macro = con.execute("SELECT * FROM trajectories_of('lake', 'columns') LIMIT 0").description
    assert [d[:2] for d in macro] == view
    assert con.execute(
        "SELECT DISTINCT project, model, split, step "
        "FROM trajectories_of('lake', 'columns', 'val', at_step := 1)"
    ).fetchall() == [("lake", "columns", "val", 1)]
    with pytest.raises(duckdb.BinderException, match="Referenced column"):
        con.execute("SELECT count(*) FROM trajectories_of('lake', model)").fetchall()
