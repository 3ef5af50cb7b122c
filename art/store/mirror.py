"""A per-process, in-memory copy of models' history, kept current from their history.jsonl.

History queries run here (a checkpoint choice reads only its metric: metric_series.py): the
copy reads the model's history.jsonl once, then only the lines appended since, so a call
costs a stat and a query. It reads the file itself, never the catalog: a reader needs no lock
and no write into the store, and a value forged into a catalog file cannot decide anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from art.store.history_ingest import HistoryProgress, catch_up_history
from art.store.paths import ModelPaths
from art.store.per_process import PerProcess
from art.store.sql import run_checked as run


class HistoryMirror:
    """In-memory DuckDB with a `history` table for the models of one store this process reads."""

    def __init__(self, base_path: Path) -> None:
        self.base_path = base_path
        self.con = duckdb.connect(":memory:", config={"threads": 1})
        run(self.con, "local/schema_history")
        self.progress: dict[tuple[str, str], HistoryProgress | None] = {}
        self.sorted_rows = 0
        self.rows = 0
        self.lock = threading.Lock()

    @contextmanager
    def current(self, project: str, model: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose `history` table holds everything the model's history.jsonl holds now."""
        paths = ModelPaths.of(self.base_path, project, model)
        with self.lock:
            key = (project, model)
            known = self.progress.get(key)
            empty = self.rows == 0
            self.progress[key] = catch_up_history(self.con, project, model, paths.history, known)
            self._keep_sorted(first=empty)
            cur = self.con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def _keep_sorted(self, first: bool) -> None:
        """Re-sort once the rows appended since the last sort are a tenth of the table. The
        first model's rows arrive sorted (one insert, ordered as local/history_sort orders)."""
        total = self.rows = run(self.con, "local/history_count").fetchone()[0]
        if first:
            self.sorted_rows = total
        elif total - self.sorted_rows > max(10_000, total // 10):
            run(self.con, "local/history_sort")
            self.sorted_rows = total


_mirrors: PerProcess[Path, HistoryMirror] = PerProcess(HistoryMirror)


def mirror_for(base_path: str | Path) -> HistoryMirror:
    """One mirror per store per process."""
    return _mirrors.get(Path(base_path).absolute())
