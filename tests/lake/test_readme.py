"""The README's "Operating a lake" section, run as written against the test servers: the SQL
as the role its `-- psql` line names, the `art lake ...` commands as the writer role (its
password given the libpq way, PGPASSWORD). Then the analyst role reads and cannot write."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art import Model, TrajectoryGroup
from art.store.lake import DuckLakeStore, S3Settings
from art.store.lake_errors import LakeError

from ..conftest import traj
from ..servers import PG_PASSWORD, Lake

pytestmark = pytest.mark.slow
README = Path(__file__).parents[2] / "README.md"


def section_blocks() -> list[tuple[str, str]]:
    text = README.read_text()
    start = text.index("### Operating a lake")
    end = text.index("\n## ", start)
    return re.findall(r"```(sql|bash)\n(.*?)```", text[start:end], re.DOTALL)


def run_sql(servers: Lake, block: str, passwords: dict[str, str]) -> None:
    import psycopg

    first, *_ = block.splitlines()
    where = re.match(r"-- psql -d (\w+) -U (\w+)", first)
    assert where, f"each SQL block starts with `-- psql -d DB -U USER`: {first!r}"
    dbname, user = where.groups()
    info = servers.pg.conninfo(dbname, user=user, password=passwords[user])
    with psycopg.connect(info, autocommit=True) as con:
        for statement in (s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";")):
            if statement:
                con.execute(statement)  # type: ignore[arg-type]


def store_as(servers: Lake, user: str, password: str) -> DuckLakeStore:
    return DuckLakeStore(
        catalog=servers.pg.conninfo("art_lake", user=user, password=password),
        data_path=f"s3://{servers.s3.bucket}/readme/",
        s3=S3Settings(
            servers.s3.key_id, servers.s3.secret, servers.s3.endpoint, url_style="path", use_ssl=False
        ),
        extension_directory=servers.workdir / "ext",
        timeout=20,
    )


async def test_operations_guide_runs_as_written(lake_servers: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    from art.cli import app

    blocks = section_blocks()
    assert [kind for kind, _ in blocks] == ["sql", "bash", "sql", "bash"]
    sql_text = "".join(b for kind, b in blocks if kind == "sql")
    passwords = {
        "postgres": PG_PASSWORD,
        **dict(re.findall(r"ROLE (\w+) LOGIN PASSWORD '([^']+)'", sql_text)),
    }
    writer = store_as(lake_servers, "art_writer", passwords["art_writer"])
    env = {
        "ART_LAKE_CATALOG": f"host=127.0.0.1 port={lake_servers.pg.port} dbname=art_lake user=art_writer",
        "PGPASSWORD": passwords["art_writer"],
        "ART_LAKE_DATA_PATH": writer.data_path,
        "AWS_ACCESS_KEY_ID": lake_servers.s3.key_id,
        "AWS_SECRET_ACCESS_KEY": lake_servers.s3.secret,
        "ART_S3_ENDPOINT": lake_servers.s3.endpoint,
        "ART_S3_URL_STYLE": "path",
        "ART_S3_USE_SSL": "false",
        "ART_DUCKDB_EXTENSION_DIR": str(writer.extension_directory),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    outputs = []
    for i, (kind, block) in enumerate(blocks):
        if kind == "sql":
            run_sql(lake_servers, block, passwords)
            continue
        if i == 3:  # something to maintain and drop
            for name, steps in (("agent-001", 2), ("agent-002", 3)):
                m = Model(name=name, project="email-agent", report_metrics=[], store=writer)
                for step in range(steps):
                    await m.log(
                        [TrajectoryGroup([traj(0.5) for _ in range(12)])], split="val", step=step * 600
                    )
        for line in filter(None, (ln.split("#")[0].strip() for ln in block.splitlines())):
            args = shlex.split(line)
            assert args[0] == "art"
            result = CliRunner().invoke(app, args[1:])
            assert result.exit_code == 0, (line, result.output)
            outputs.append(result.output)
    assert "created" in outputs[0]
    assert "orphans_deleted" in outputs[1]
    assert "24 trajectory rows" in outputs[2] and "24 trajectory rows" in outputs[3]
    analyst = store_as(lake_servers, "art_analyst", passwords["art_analyst"])
    con = art.connect(analyst)
    assert con.execute("SELECT model, min(step), count(*) FROM trajectories GROUP BY ALL").fetchall() == [
        ("agent-002", 1200, 12)
    ]
    with pytest.raises(LakeError, match="permission denied"):
        await Model(name="x", project="email-agent", report_metrics=[], store=analyst).log(
            [TrajectoryGroup([traj(1.0)])], split="val", step=0
        )
