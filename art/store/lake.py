"""`DuckLakeStore`: the same store on DuckLake, catalog in PostgreSQL, data files on S3.

For runs that outgrow one machine: many trainer and eval hosts log to one lake. DuckLake
owns the data files, so trajectories and long-format history are lake tables; the shared
queries in `sql/` run unchanged (the lake is the default catalog), `sql/lake/` holds the rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from art.errors import InvalidArgumentError, MissingSettingError
from art.store.base import Progress
from art.store.lake_errors import scrub_conninfo

if TYPE_CHECKING:
    import duckdb

    from art.trajectories import TrajectoryGroup

DEFAULT_EXTENSION_DIR = Path.home() / ".cache" / "art" / "duckdb-extensions"
DEFAULT_TIMEOUT = 30.0
"""Seconds a lake call may wait for PostgreSQL or S3, retries included, before it raises."""
LAKE_VIEWS = (
    "lake/use",
    "lake/view_runs",
    "view_history_by_step",
    "lake/view_trajectories",
    "lake/macro_trajectories_of",
    "lake/macro_groups_without_trajectories",
    "lake/macro_trajectory_steps",
)


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
    (`s3://bucket/prefix/`, or a local folder). Each call waits at most about `timeout`
    seconds for PostgreSQL or S3 (retrying meanwhile), then raises a `LakeUnavailableError`."""

    catalog: str
    data_path: str
    s3: S3Settings | None = None
    extension_directory: Path = DEFAULT_EXTENSION_DIR
    max_retries: int = 20
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("catalog", "data_path"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
                shown = scrub_conninfo(value) if isinstance(value, str) else value
                raise InvalidArgumentError(name, shown, "must be non-empty text without control characters")
        if (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, int | float)
            or not self.timeout > 0
        ):
            raise InvalidArgumentError("timeout", self.timeout, "must be a number of seconds > 0")
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 1
        ):
            raise InvalidArgumentError("max_retries", self.max_retries, "must be an integer >= 1")

    def __repr__(self) -> str:
        """Without the catalog's password (nor the S3 secret, which S3Settings never shows)."""
        return (
            f"DuckLakeStore(catalog={scrub_conninfo(self.catalog)!r}, data_path={self.data_path!r}, "
            f"s3={self.s3!r}, timeout={self.timeout:g})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] | None = None) -> DuckLakeStore | None:
        """ART_LAKE_CATALOG and ART_LAKE_DATA_PATH select the lake (None when unset); S3 comes
        from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and ART_S3_ENDPOINT,
        ART_S3_URL_STYLE, ART_S3_USE_SSL; ART_LAKE_TIMEOUT bounds each call (seconds)."""
        env = os.environ if environ is None else environ
        catalog = env.get("ART_LAKE_CATALOG")
        if not catalog:
            return None
        data_path = env.get("ART_LAKE_DATA_PATH")
        if not data_path:
            raise MissingSettingError(
                "ART_LAKE_DATA_PATH", "it is needed with ART_LAKE_CATALOG: where the lake's data files go"
            )
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
        timeout = env.get("ART_LAKE_TIMEOUT", "")
        try:
            seconds = float(timeout) if timeout else DEFAULT_TIMEOUT
        except ValueError:
            raise InvalidArgumentError("ART_LAKE_TIMEOUT", timeout, "must be a number of seconds") from None
        return cls(catalog, data_path, s3, Path(extdir) if extdir else DEFAULT_EXTENSION_DIR, timeout=seconds)

    def log_step(
        self,
        project: str,
        model: str,
        groups: Sequence[TrajectoryGroup] | None,
        split: str,
        step: int,
        metrics: dict[str, Any] | None,
    ) -> dict[str, Any]:
        from art.store.lake_writer import log_step

        return log_step(self, project, model, groups, split, step, metrics)

    @contextmanager
    def history(self, project: str, model: str) -> Iterator[duckdb.DuckDBPyConnection]:
        from art.store.lake_connection import lake_connection

        with lake_connection(self).cursor() as cur:
            yield cur

    def metric_rows(self, project: str, model: str, metric: str, query: str, **params: Any) -> list[tuple]:
        """On the lake's history table, read anew each time (other hosts write to it)."""
        from art.store.sql import run_checked

        with self.history(project, model) as cur:
            return run_checked(cur, query, project=project, model=model, metric=metric, **params).fetchall()

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the process's read-only, sandboxed lake connection (see lake_reader) with
        the lake in use and the public views."""
        from art.store.lake_connection import lake_reader
        from art.store.sql import run_checked

        cur = lake_reader(self).con.cursor()
        for name in LAKE_VIEWS:
            run_checked(cur, name)
        return cur

    def maintain(
        self, *, keep_seconds: int = 3600, progress: Progress | None = None, orphan_seconds: int | None = None
    ) -> dict[str, int]:
        """Flush inlined rows, merge small files, expire snapshots, delete old and orphaned files.

        Safe while writers run: DuckLake commits each step as its own snapshot, and files are
        only deleted once unreferenced for `keep_seconds` (so long-running readers keep theirs).
        Orphans (files no snapshot knows, left by killed writers) go once older than
        `orphan_seconds` (default: keep_seconds, at least 15 minutes, so that a file a writer is
        about to commit is never taken). Returns data-file counts and how many files went.
        """
        from art.store.lake_maintain import maintain

        return maintain(self, keep_seconds, orphan_seconds).counts()

    def describe(self) -> str:
        return f"DuckLake with data at {self.data_path}"
