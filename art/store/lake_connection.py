"""The process's one connection to a DuckLake: extensions from their wheels, secrets, attach,
and commits retried on the same connection.

Attaching costs about 0.2 s, so each process keeps one connection per lake; a conflicting
commit is retried on that same connection (reconnecting leaks a PostgreSQL connection).
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from art.errors import ArtError, InvalidArgumentError
from art.store import sql
from art.store.per_process import PerProcess

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

LAKE_EXTENSIONS = ("ducklake", "postgres", "httpfs")


class LakeError(ArtError, RuntimeError):
    """The lake could not be reached or refused a change after every retry."""


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
                    "lake/secret_s3",
                    key_id=s3.key_id,
                    secret=s3.secret,
                    region=s3.region,
                    endpoint=s3.endpoint,
                    url_style=s3.url_style,
                    use_ssl=s3.use_ssl,
                )
            sql.run(
                self.con,
                "lake/secret",
                metadata_path=_metadata_path(store.catalog),
                data_path=store.data_path,
            )
            sql.run(self.con, "lake/attach")
            for name in ("lake/schema_trajectories", "lake/schema_history"):
                self.retry(lambda cur, name=name: sql.run(cur, name))
            sql.run(self.con, "lake/use")
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
                sql.run(cur, "lake/use")
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
    """DuckLakeStore.maintain: each step in its own retried transaction; data-file counts."""
    if isinstance(keep_seconds, bool) or not isinstance(keep_seconds, int) or keep_seconds < 0:
        raise InvalidArgumentError("keep_seconds", keep_seconds, "must be an integer >= 0")
    lake = lake_connection(store)
    with lake.cursor() as cur:
        before = dict(sql.run(cur, "lake/file_count").fetchall())
    for name in ("lake/maintain_flush", "lake/maintain_merge"):
        lake.retry(lambda cur, name=name: sql.run(cur, name).fetchall())
    for name in ("lake/maintain_expire", "lake/maintain_cleanup"):
        lake.retry(lambda cur, name=name: sql.run(cur, name, keep_seconds=keep_seconds).fetchall())
    with lake.cursor() as cur:
        after = dict(sql.run(cur, "lake/file_count").fetchall())
    return {
        **{f"{k}_files_before": v for k, v in before.items()},
        **{f"{k}_files_after": v for k, v in after.items()},
    }
