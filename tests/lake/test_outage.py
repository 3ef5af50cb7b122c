"""Outages of a lake's services, for real: PostgreSQL stopped and started again, the S3
server frozen (SIGSTOP) and thawed. Calls wait a bounded time, fail with an error naming the
service, recover by themselves, lose nothing they acknowledged, and print no secret.
The other tests' cached connections recover from these outages by themselves."""

from __future__ import annotations

import threading
import time
import traceback

import duckdb
import pytest

import art
from art import Model, TrajectoryGroup
from art.store.lake import DuckLakeStore
from art.store.lake_errors import CatalogUnavailableError, LakeError, StorageUnavailableError

from ..conftest import traj
from ..servers import PG_PASSWORD, S3_SECRET, Lake
from .fixtures import fresh_lake, referenced_files

pytestmark = pytest.mark.slow
TIMEOUT = 4.0
SLACK = 4.0  # process scheduling on a busy 2-core machine, one HTTP timeout in flight


@pytest.fixture
def servers(lake_servers: Lake) -> Lake:
    return lake_servers


def no_secret(*texts: str) -> None:
    for text in texts:
        assert PG_PASSWORD not in text and S3_SECRET not in text, text


def printed(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def groups(step: int, n: int) -> list[TrajectoryGroup]:
    return [TrajectoryGroup([traj((step % 10) / 10) for _ in range(n)])]


def later(seconds: float, action) -> threading.Thread:
    t = threading.Timer(seconds, action)
    t.start()
    return t


async def test_postgres_stopped_and_restarted(
    servers: Lake, capsys: pytest.CaptureFixture[str], caplog
) -> None:
    caplog.set_level("DEBUG")
    store = fresh_lake(servers, timeout=TIMEOUT)
    m = Model(name="pg", project="outage", report_metrics=[], store=store)
    acked: list[int] = []
    for step in range(3):
        await m.log(groups(step, 2), split="val", step=step)
        acked.append(step)
    reader = store.connect()
    servers.pg.stop()
    try:
        t0 = time.monotonic()
        with pytest.raises(CatalogUnavailableError) as raised:
            await m.log(groups(3, 2), split="val", step=3)
        waited = time.monotonic() - t0
        assert TIMEOUT - 1 <= waited <= TIMEOUT + SLACK
        assert "PostgreSQL" in str(raised.value) and raised.value.service == "PostgreSQL"
        with pytest.raises(duckdb.Error) as duck:  # DuckDB's own error on a user's cursor
            reader.execute("SELECT count(*) FROM trajectories").fetchall()
        no_secret(printed(raised.value), printed(duck.value), repr(store), str(store))
        restart = later(1.5, servers.pg.start)
        t0 = time.monotonic()
        await m.log(groups(4, 2), split="val", step=4)  # waits for PostgreSQL to come back
        acked.append(4)
        assert time.monotonic() - t0 <= TIMEOUT + SLACK
    finally:
        restart.join() if "restart" in locals() else servers.pg.start()
    for step in range(5, 8):
        await m.log(groups(step, 2), split="val", step=step)
        acked.append(step)
    con = art.connect(store)
    steps = [
        s
        for (s,) in con.execute("SELECT DISTINCT step FROM history WHERE model = 'pg' ORDER BY 1").fetchall()
    ]
    assert set(acked) <= set(steps)
    assert con.execute(
        "SELECT count(*) FROM trajectories WHERE model = 'pg' AND step IN (0,1,2,4,5,6,7)"
    ).fetchone() == (14,)
    out = capsys.readouterr()
    no_secret(out.out, out.err, caplog.text)
    assert "CatalogUnavailableError" in caplog.text or "retrying" in caplog.text


async def test_s3_frozen_and_thawed(servers: Lake, capsys: pytest.CaptureFixture[str], caplog) -> None:
    caplog.set_level("DEBUG")
    store = fresh_lake(servers, timeout=TIMEOUT)
    m = Model(name="s3", project="outage", report_metrics=[], store=store)
    acked: list[int] = []
    await m.log(groups(0, 16), split="val", step=0)  # 16 rows: a parquet file on S3, not inlined
    acked.append(0)
    servers.s3.pause()
    try:
        t0 = time.monotonic()
        with pytest.raises(StorageUnavailableError) as raised:
            await m.log(groups(1, 16), split="val", step=1)
        waited = time.monotonic() - t0
        assert waited <= TIMEOUT + SLACK
        assert "S3" in str(raised.value) and raised.value.service == "S3"
        no_secret(printed(raised.value))
        thaw = later(1.0, servers.s3.resume)
        t0 = time.monotonic()
        await m.log(groups(2, 16), split="val", step=2)
        acked.append(2)
        assert time.monotonic() - t0 <= TIMEOUT + SLACK
        thaw.join()
    finally:
        servers.s3.resume()
    await m.log(groups(3, 16), split="val", step=3)
    acked.append(3)
    con = art.connect(store)
    rows = con.execute(
        "SELECT step, count(*) FROM trajectories WHERE model = 's3' GROUP BY step ORDER BY step"
    ).fetchall()
    assert {s for s, n in rows if n == 16} >= set(acked)
    con.close()
    files = store.maintain(keep_seconds=0, orphan_seconds=0)
    prefix = store.data_path.removeprefix(f"s3://{servers.s3.bucket}/")
    assert servers.s3.keys(prefix) == referenced_files(store), files
    out = capsys.readouterr()
    no_secret(out.out, out.err, caplog.text)


def test_wrong_password_and_unreachable_lake_print_no_secret(servers: Lake) -> None:
    from typer.testing import CliRunner

    from art.cli import app

    wrong = DuckLakeStore(
        catalog=servers.pg.conninfo(password="not-" + PG_PASSWORD),
        data_path="s3://lake/x/",
        extension_directory=servers.workdir / "ext",
        timeout=20,
    )
    t0 = time.monotonic()
    with pytest.raises(LakeError, match="password authentication failed") as raised:
        art.connect(wrong)
    assert time.monotonic() - t0 < 8  # refused for good: not retried for 20 s
    no_secret(printed(raised.value), repr(wrong))
    assert "not-" + PG_PASSWORD not in printed(raised.value)
    uri = f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:1/lake"
    away = DuckLakeStore(uri, "s3://lake/x/", extension_directory=servers.workdir / "ext", timeout=1)
    t0 = time.monotonic()
    with pytest.raises(CatalogUnavailableError) as raised:
        art.connect(away)
    assert time.monotonic() - t0 < 1 + SLACK
    no_secret(printed(raised.value), repr(away))
    env = {
        "ART_LAKE_CATALOG": uri,
        "ART_LAKE_DATA_PATH": "s3://lake/x/",
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "ART_LAKE_TIMEOUT": "1",
        "ART_DUCKDB_EXTENSION_DIR": str(servers.workdir / "ext"),
    }
    for args in (["runs"], ["lake", "drop-run", "p", "m"]):
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 1 and "PostgreSQL" in result.output, result.output
        no_secret(result.output)
