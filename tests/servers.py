"""Real servers on loopback for the DuckLake tests: PostgreSQL (Debian's package) and an
S3-compatible server (moto's server mode). Started in a temp folder, stopped at the end.

PostgreSQL asks for a password over TCP (scram-sha-256) and the S3 secret is not `test`, so
the tests can check that neither ever shows up in printed text. Both servers can be stopped
or frozen and brought back, for the outage tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

PG_PASSWORD = "pg-Sekr3t-7f3a"
S3_SECRET = "s3-Sekr3t-91bc"


class ServerUnavailable(RuntimeError):
    """A server binary is missing here; the message says what to install."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def pg_bin() -> Path:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb")) if root.is_dir() else []
    if not versions:
        raise ServerUnavailable("PostgreSQL is not installed: apt-get install postgresql")
    return versions[-1].parent


@dataclass
class Postgres:
    port: int
    bindir: Path
    data: Path
    workdir: Path
    as_user: list[str] = field(default_factory=list)
    dbname: str = "lake"
    user: str = "postgres"
    password: str = PG_PASSWORD

    def conninfo(
        self, dbname: str | None = None, user: str | None = None, password: str | None = None
    ) -> str:
        return (
            f"dbname={dbname or self.dbname} host=127.0.0.1 port={self.port} user={user or self.user} "
            f"password={password or self.password}"
        )

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._ctl(
            "-l",
            str(self.workdir / "pg.log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir} -c max_connections=300 "
            "-c fsync=off",
            "start",
        )

    def stop(self) -> None:
        """Stop at once (connections are cut, as when the server host dies)."""
        self._ctl("-m", "immediate", "-w", "stop")

    def execute(self, statement: str, dbname: str = "postgres") -> None:
        """Run one statement as the superuser, outside a transaction (CREATE DATABASE ...)."""
        import psycopg

        with psycopg.connect(self.conninfo(dbname), autocommit=True) as con:
            con.execute(statement)  # type: ignore[arg-type]


@contextlib.contextmanager
def postgres(workdir: Path) -> Iterator[Postgres]:
    """initdb + pg_ctl as the `postgres` user (initdb refuses root); a password over TCP."""
    bindir = pg_bin()
    del workdir  # the server's folder must be reachable by the postgres user: its own, in /tmp
    workdir = Path(tempfile.mkdtemp(prefix="art-pg-"))
    workdir.chmod(0o755)
    pwfile = workdir / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = workdir / "pgdata"
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
        ],
        check=True,
        capture_output=True,
    )
    pg = Postgres(free_port(), bindir, data, workdir, as_user)
    pg.start()
    try:
        pg.execute("CREATE DATABASE lake")
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class S3:
    endpoint: str
    proc: subprocess.Popen[bytes]
    bucket: str = "lake"
    key_id: str = "art-test-key"
    secret: str = S3_SECRET
    region: str = "us-east-1"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://{self.endpoint}",
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
            region_name=self.region,
        )

    def keys(self, prefix: str = "") -> set[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return {o["Key"] for page in pages for o in page.get("Contents", [])}

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted but never answered."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def s3(workdir: Path) -> Iterator[S3]:
    """moto's S3 server on a free loopback port, with one bucket."""
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        raise ServerUnavailable("moto is not installed: pip install 'moto[server]'") from e
    port = free_port()
    log = (workdir / "moto.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        server = S3(endpoint=f"127.0.0.1:{port}", proc=proc)
        server.client().create_bucket(Bucket=server.bucket)
        yield server
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(10)
        log.close()


def lake_store(
    pg: Postgres, server: S3, workdir: Path, prefix: str = "art", dbname: str = "lake", **options: object
) -> DuckLakeStore:
    """A DuckLakeStore on these servers (one data path per catalog database)."""
    from art.store.lake import DuckLakeStore, S3Settings

    return DuckLakeStore(
        catalog=pg.conninfo(dbname),
        data_path=f"s3://{server.bucket}/{prefix}/",
        s3=S3Settings(
            key_id=server.key_id,
            secret=server.secret,
            endpoint=server.endpoint,
            region=server.region,
            url_style="path",
            use_ssl=False,
        ),
        extension_directory=workdir / "ext",
        **options,  # type: ignore[arg-type]
    )


@dataclass
class Lake:
    """A lake's store with its two servers, for tests that stop, freeze or inspect them."""

    store: DuckLakeStore
    pg: Postgres
    s3: S3
    workdir: Path


@contextlib.contextmanager
def local_servers(workdir: Path, prefix: str = "art") -> Iterator[Lake]:
    with postgres(workdir / "pg") as pg, s3(workdir) as server:
        yield Lake(lake_store(pg, server, workdir, prefix), pg, server, workdir)


@contextlib.contextmanager
def local_lake(workdir: Path, prefix: str = "art") -> Iterator[DuckLakeStore]:
    """A DuckLake store on a fresh PostgreSQL and S3 server, both on 127.0.0.1."""
    with local_servers(workdir, prefix) as lake:
        yield lake.store
