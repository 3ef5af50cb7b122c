"""Real servers on loopback for the DuckLake tests: PostgreSQL (Debian's package) and an
S3-compatible server (moto's server mode). Started in a temp folder, stopped at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore


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
    dbname: str = "lake"
    user: str = "postgres"

    @property
    def conninfo(self) -> str:
        return f"dbname={self.dbname} host=127.0.0.1 port={self.port} user={self.user}"


@contextlib.contextmanager
def postgres(workdir: Path) -> Iterator[Postgres]:
    """initdb + pg_ctl as the `postgres` user (initdb refuses root), trust auth on 127.0.0.1."""
    bindir = pg_bin()
    del workdir  # the server's folder must be reachable by the postgres user: its own, in /tmp
    workdir = Path(tempfile.mkdtemp(prefix="art-pg-"))
    workdir.chmod(0o755)
    data = workdir / "pgdata"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(workdir / "pg.log"),
        "-w",
        "-o",
        f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c max_connections=200 -c fsync=off",
        "start",
    )
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "lake")
        yield Postgres(port)
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class S3:
    endpoint: str
    bucket: str = "lake"
    key_id: str = "test"
    secret: str = "test"
    region: str = "us-east-1"


@contextlib.contextmanager
def s3(workdir: Path) -> Iterator[S3]:
    """moto's S3 server on a free loopback port, with one bucket."""
    try:
        import boto3
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
        server = S3(endpoint=f"127.0.0.1:{port}")
        boto3.client(
            "s3",
            endpoint_url=f"http://{server.endpoint}",
            aws_access_key_id=server.key_id,
            aws_secret_access_key=server.secret,
            region_name=server.region,
        ).create_bucket(Bucket=server.bucket)
        yield server
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@contextlib.contextmanager
def local_lake(workdir: Path, prefix: str = "art") -> Iterator[DuckLakeStore]:
    """A DuckLake store on a fresh PostgreSQL and S3 server, both on 127.0.0.1."""
    from art.store.lake import DuckLakeStore, S3Settings

    with postgres(workdir / "pg") as pg, s3(workdir) as server:
        yield DuckLakeStore(
            catalog=pg.conninfo,
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
        )
