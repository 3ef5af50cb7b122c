"""The one interface every caller uses: a `Store` is where a model logs and what readers ask.

Two kinds implement it: `LocalStore` (files under a base path, indexed by a DuckDB catalog)
and `DuckLakeStore` (PostgreSQL catalog, S3 data). The kind is chosen once, at the edge
(`Model(store=...)`, the CLI's options and environment, `art.connect(path_or_store)`); no
caller below branches on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import duckdb

    from art.trajectories import TrajectoryGroup

Progress = Callable[[str, int, int], None]


@runtime_checkable
class Store(Protocol):
    """Log a step, read a model's history, open the public views, maintain."""

    def log_step(
        self,
        project: str,
        model: str,
        groups: Sequence[TrajectoryGroup] | None,
        split: str,
        step: int,
        metrics: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Store one log() call; returns the history row written (metric keys only).

        A refused call (bad names, bad metrics) writes nothing."""
        ...

    def history(self, project: str, model: str) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A cursor whose `history` table holds everything logged for the model so far."""
        ...

    def metric_rows(self, project: str, model: str, metric: str, query: str, **params: Any) -> list[tuple]:
        """The rows of the named query (bound with project, model, metric and `params`) over a
        `history` table holding every row of `metric` logged for the model so far. The query
        must read no other rows: a store may keep them apart, and keep the answer until they
        change (what a checkpoint choice asks)."""
        ...

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the public views: runs, history, history_by_step,
        trajectories, trajectories_of(project, model[, split][, at_step := N]), ..."""
        ...

    def maintain(self, *, keep_seconds: int = 3600, progress: Progress | None = None) -> dict[str, int]:
        """Bring the store's index into shape; returns counts of what was done."""
        ...

    def describe(self) -> str:
        """Where the store is, for messages (never a secret)."""
        ...
