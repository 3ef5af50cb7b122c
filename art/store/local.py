"""`LocalStore`: files under a base path (ART's layout) and the DuckDB catalog that indexes them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from art.store.base import Progress

if TYPE_CHECKING:
    import duckdb

    from art.trajectories import TrajectoryGroup


class LocalStore:
    """The store at `base_path` (default `.art`); `implicit` marks one a Model made for itself.

    Immutable, equal to another by its absolute base path alone. (A plain class: the
    `dataclasses` module imports `inspect`, ~7 ms of every process's first `art.connect()`.)"""

    __slots__ = ("base_path", "implicit")
    base_path: Path
    implicit: bool

    def __init__(self, base_path: str | Path = Path(".art"), implicit: bool = False) -> None:
        object.__setattr__(self, "base_path", Path(base_path).absolute())
        object.__setattr__(self, "implicit", implicit)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a LocalStore cannot be changed (its {name!r} is fixed): make a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a LocalStore cannot be changed (its {name!r} is fixed): make a new one")

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.base_path == self.base_path  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.base_path)

    def __repr__(self) -> str:
        return f"LocalStore(base_path={self.base_path!r})"

    def __reduce__(self) -> tuple[type[LocalStore], tuple[Path, bool]]:
        """Copied and pickled by its arguments (a Model holding it is copied, say)."""
        return (LocalStore, (self.base_path, self.implicit))

    def log_step(
        self,
        project: str,
        model: str,
        groups: Sequence[TrajectoryGroup] | None,
        split: str,
        step: int,
        metrics: dict[str, Any] | None,
    ) -> dict[str, Any]:
        from art.store.paths import ModelPaths
        from art.store.writer import log_step

        return log_step(ModelPaths.of(self.base_path, project, model), groups, split, step, metrics)

    def _require_base(self) -> None:
        """Reading never creates a store: a base path that does not exist is an error."""
        if not self.base_path.is_dir():
            from art.errors import StoreNotFoundError

            raise StoreNotFoundError(self.base_path)

    @contextmanager
    def history(self, project: str, model: str) -> Iterator[duckdb.DuckDBPyConnection]:
        from art.store.mirror import mirror_for

        if not self.implicit:
            self._require_base()
        with mirror_for(self.base_path).current(project, model) as cur:
            yield cur

    def metric_rows(self, project: str, model: str, metric: str, query: str, **params: Any) -> list[tuple]:
        """Over the metric's rows only, read from history.jsonl and kept per process
        (metric_series.py), as are the answers until the file changes."""
        from art.store.metric_series import series_for

        if not self.implicit:
            self._require_base()
        return series_for(self.base_path).rows(project, model, metric, query, **params)

    def connect(self) -> duckdb.DuckDBPyConnection:
        from art.store.local_views import open_snapshot

        self._require_base()
        return open_snapshot(self.base_path)

    def maintain(self, *, keep_seconds: int = 3600, progress: Progress | None = None) -> dict[str, int]:
        """Rebuild the catalog from the files (nothing else here needs compaction)."""
        return {"models": self.rebuild(progress)}

    def rebuild(self, progress: Progress | None = None) -> int:
        """Recreate the catalog from the files alone; returns the number of models found."""
        from art.store.catalog import catalog_for

        self._require_base()
        return catalog_for(self.base_path).rebuild(progress)

    def flush(self) -> None:
        """Wait for this process's background catalog catch-up (tests and benchmarks)."""
        from art.store.catalog import catalog_for

        catalog_for(self.base_path).flush()

    def describe(self) -> str:
        from art.store.misplaced import misplaced_hint

        return f"{self.base_path}{misplaced_hint(self.base_path)}"
