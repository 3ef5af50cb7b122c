"""The same store on DuckLake: catalog in PostgreSQL, data files on S3-compatible storage.

For runs that outgrow one machine: many trainer and eval hosts log to one lake. DuckLake
owns the data files, so trajectories and long-format history are lake tables; the queries
are the same `sql/*.sql` files as in local mode (the lake is the default catalog). Each
process keeps one long-lived connection (attaching costs about 0.2 s) and retries a
conflicting commit on that same connection (reconnecting leaks a PostgreSQL connection).
"""

from __future__ import annotations

import os
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from art.errors import ArtError, InvalidArgumentError
from art.store import sql
from art.store.per_process import PerProcess

LAKE_EXTENSIONS = ("ducklake", "postgres", "httpfs")
DEFAULT_EXTENSION_DIR = Path.home() / ".cache" / "art" / "duckdb-extensions"


class LakeError(ArtError, RuntimeError):
    """The lake could not be reached or refused a change after every retry."""


@dataclass(frozen=True)
class S3Settings:
    """Where the lake's S3-compatible storage is and how to sign requests to it."""

    key_id: str
    secret: str = field(repr=False)
    endpoint: str = "s3.amazonaws.com"
    region: str = "us-east-1"
    url_style: str = "vhost"
    use_ssl: bool = True


@dataclass(frozen=True)
class DuckLakeStore:
    """A DuckLake store: `catalog` is a libpq connection string (or postgresql:// URI) of the
    PostgreSQL database holding the lake's catalog; `data_path` is where data files go
    (`s3://bucket/prefix/`, or a local folder)."""

    catalog: str
    data_path: str
    s3: S3Settings | None = None
    extension_directory: Path = DEFAULT_EXTENSION_DIR
    max_retries: int = 20

    def __post_init__(self) -> None:
        for name in ("catalog", "data_path"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
                raise InvalidArgumentError(name, value, "must be non-empty text without control characters")

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] | None = None) -> DuckLakeStore | None:
        """ART_LAKE_CATALOG and ART_LAKE_DATA_PATH select the lake (None when unset); S3 comes
        from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and ART_S3_ENDPOINT,
        ART_S3_URL_STYLE, ART_S3_USE_SSL."""
        env = os.environ if environ is None else environ
        catalog = env.get("ART_LAKE_CATALOG")
        if not catalog:
            return None
        data_path = env.get("ART_LAKE_DATA_PATH")
        if not data_path:
            raise InvalidArgumentError("ART_LAKE_DATA_PATH", data_path, "is needed with ART_LAKE_CATALOG")
        s3 = None
        if data_path.startswith("s3://"):
            s3 = S3Settings(
                key_id=env.get("AWS_ACCESS_KEY_ID", ""),
                secret=env.get("AWS_SECRET_ACCESS_KEY", ""),
                endpoint=env.get("ART_S3_ENDPOINT", "s3.amazonaws.com"),
                region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
                url_style=env.get("ART_S3_URL_STYLE", "vhost"),
                use_ssl=env.get("ART_S3_USE_SSL", "true").lower() not in ("0", "false", "no"),
            )
        extdir = env.get("ART_DUCKDB_EXTENSION_DIR")
        return cls(catalog, data_path, s3, Path(extdir) if extdir else DEFAULT_EXTENSION_DIR)


def _metadata_path(catalog: str) -> str:
    return catalog if catalog.startswith("postgres:") else f"postgres:{catalog}"


def _install_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Copy the extensions from their wheels into the extension directory (idempotent)."""
    try:
        from duckdb_extensions import import_extension
    except ImportError as e:
        raise LakeError("DuckLake needs the extension wheels: pip install 'art-duckdb[lake]'") from e
    for name in LAKE_EXTENSIONS:
        import_extension(name, con=con)


class LakeConnection:
    """The process's one connection to a lake, with the tables created and the lake in use."""

    def __init__(self, store: DuckLakeStore) -> None:
        self.store = store
        self.lock = threading.RLock()
        store.extension_directory.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(
            ":memory:",
            config={
                "extension_directory": str(store.extension_directory),
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": True,
            },
        )
        try:
            _install_extensions(self.con)
            if store.s3 is not None:
                s3 = store.s3
                sql.run(
                    self.con,
                    "lake_secret_s3",
                    key_id=s3.key_id,
                    secret=s3.secret,
                    region=s3.region,
                    endpoint=s3.endpoint,
                    url_style=s3.url_style,
                    use_ssl=s3.use_ssl,
                )
            sql.run(
                self.con,
                "lake_secret",
                metadata_path=_metadata_path(store.catalog),
                data_path=store.data_path,
            )
            sql.run(self.con, "lake_attach")
            for name in ("lake_schema_trajectories", "lake_schema_history"):
                self.retry(lambda cur, name=name: sql.run(cur, name))
            sql.run(self.con, "lake_use")
        except duckdb.Error as e:
            self.con.close()
            raise LakeError(f"could not open the lake at {store.catalog!r} / {store.data_path!r}: {e}") from e

    def retry(self, work: Any) -> Any:
        """Run `work(cursor)` in a transaction, retrying conflicts on this same connection."""
        with self.lock:
            cur = self.con.cursor()
            try:
                for attempt in range(self.store.max_retries):
                    try:
                        cur.begin()
                        result = work(cur)
                        cur.commit()
                        return result
                    except duckdb.TransactionException as e:
                        cur.rollback()
                        if attempt + 1 == self.store.max_retries:
                            raise LakeError(f"lake commit failed after {attempt + 1} tries: {e}") from e
                        time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
                    except BaseException:
                        cur.rollback()
                        raise
            finally:
                cur.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock:
            cur = self.con.cursor()
            try:
                sql.run(cur, "lake_use")
                yield cur
            finally:
                cur.close()


_connections: PerProcess[DuckLakeStore, LakeConnection] = PerProcess(LakeConnection)


def lake_connection(store: DuckLakeStore) -> LakeConnection:
    """One connection per lake per process: attaching costs about 0.2 s."""
    return _connections.get(store)


def new_seq() -> int:
    """Identifies one log() call's history rows (there is no line number in a lake)."""
    return secrets.randbits(62)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def maintain(store: DuckLakeStore, keep_seconds: int = 3600) -> dict[str, int]:
    """Flush inlined rows, merge small files, expire snapshots and delete old files.

    Safe while writers run: DuckLake commits each step as its own snapshot, and files are
    only deleted once unreferenced for `keep_seconds` (so long-running readers keep theirs).
    Returns the data-file counts before and after.
    """
    if isinstance(keep_seconds, bool) or not isinstance(keep_seconds, int) or keep_seconds < 0:
        raise InvalidArgumentError("keep_seconds", keep_seconds, "must be an integer >= 0")
    lake = lake_connection(store)
    with lake.cursor() as cur:
        before = dict(sql.run(cur, "lake_file_count").fetchall())
    for name in ("lake_maintain_flush", "lake_maintain_merge"):
        lake.retry(lambda cur, name=name: sql.run(cur, name).fetchall())
    for name in ("lake_maintain_expire", "lake_maintain_cleanup"):
        lake.retry(lambda cur, name=name: sql.run(cur, name, keep_seconds=keep_seconds).fetchall())
    with lake.cursor() as cur:
        after = dict(sql.run(cur, "lake_file_count").fetchall())
    return {
        **{f"{k}_files_before": v for k, v in before.items()},
        **{f"{k}_files_after": v for k, v in after.items()},
    }
