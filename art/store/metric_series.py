"""A per-process cache of one metric's values per step, kept current from a model's history.jsonl.

A checkpoint choice asks for one metric, so only the lines that can hold it are parsed: DuckDB's
JSON reader reads the file once, the lines appended since are read from the last byte offset,
and an answer is kept until the file changes, so a warm call costs a stat. Like the mirror
(mirror.py) it reads the file itself, never the catalog: a value forged into a catalog file
cannot decide a checkpoint. Lines are read as Python's parser (history.parse_line) reads them:
DuckDB parses the lines it reads alike, and hands the others (refused, repeating a key, an
escape, NaN) to Python.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from art.errors import CatalogError
from art.store import history
from art.store.confined import stat_regular
from art.store.paths import ModelPaths
from art.store.per_process import PerProcess
from art.store.sql import run_checked as run

TAIL_BYTES = 64  # kept of the last lines read: a rewritten file no longer holds them there
PYTHON_BYTES = 1 << 16  # appended lines up to this size are parsed here: faster than in DuckDB


@dataclass(frozen=True)
class SeriesProgress:
    """How much of which history.jsonl a metric's rows hold: its complete lines up to `bytes`,
    of the file (inode) as it was (size, mtime) when read, whose bytes before `bytes` end in
    `tail`."""

    bytes: int
    inode: int
    size: int
    mtime_ns: int
    tail: bytes


Key = tuple[str, str, str]


class MetricSeries:
    """In-memory DuckDB whose `history` table holds the rows of the metrics asked for so far,
    and the answers given about each, kept while its rows stay the same."""

    def __init__(self, base_path: Path) -> None:
        self.base_path = base_path
        self.con = duckdb.connect(":memory:", config={"threads": 1})
        run(self.con, "local/schema_metric_series")
        run(self.con, "local/schema_metric_lines")
        run(self.con, "local/macro_plain_metric_line")
        self.progress: dict[Key, SeriesProgress] = {}
        self.answers: dict[Key, dict[tuple[str, tuple[tuple[str, Any], ...]], list[tuple]]] = {}
        self.lock = threading.RLock()
        self.python_bytes = PYTHON_BYTES

    @contextmanager
    def current(self, project: str, model: str, metric: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose `history` table holds every row of `metric` the model's history.jsonl
        holds now (and rows of other metrics and models asked for before)."""
        with self.lock:
            self._refresh((project, model, metric))
            cur = self.con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def rows(self, project: str, model: str, metric: str, query: str, **params: Any) -> list[tuple]:
        """The rows of the named query over the metric's current rows; the query must read no
        other rows (its answer is kept until the metric's rows change)."""
        key = (project, model, metric)
        asked = (query, tuple(sorted(params.items())))
        with self.lock:
            self._refresh(key)
            answers = self.answers.setdefault(key, {})
            if asked not in answers:
                with self.con.cursor() as cur:
                    answers[asked] = run(
                        cur, query, project=project, model=model, metric=metric, **params
                    ).fetchall()
            return list(answers[asked])

    def _refresh(self, key: Key) -> None:
        """Read what changed; answers are dropped where rows are added or forgotten."""
        path = ModelPaths.of(self.base_path, key[0], key[1]).history
        known = self.progress.pop(key, None)
        try:
            new = self._catch_up(key, path, known)
        except BaseException:
            self._forget(key)  # rows without their progress would be read twice
            raise
        if new is not None:
            self.progress[key] = new

    def _catch_up(self, key: Key, path: Path, known: SeriesProgress | None) -> SeriesProgress | None:
        try:
            st = stat_regular(path)
        except FileNotFoundError:
            if known is not None:
                self._forget(key)
            return None
        if known is not None and known.inode == st.st_ino:
            if (st.st_size, st.st_mtime_ns) == (known.size, known.mtime_ns):
                return known
            if st.st_size > known.size and _tail_is(path, known):
                return self._read_lines(key, path, st, known.bytes, known.tail)
        if known is not None:  # replaced, shrunk or rewritten: read it again from the start
            self._forget(key)
        return self._read_file(key, path, st)

    def _read_file(self, key: Key, path: Path, st: os.stat_result) -> SeriesProgress:
        """A whole file, by DuckDB's JSON reader when it ends in a newline, parses, and did not
        change while read; else by reading its complete lines here."""
        tail = _tail(path, st.st_size)  # before DuckDB reads: a change after shows in the stat
        if tail.endswith(b"\n"):
            try:
                run(self.con, "local/metric_lines_file", path=str(path), metric=key[2])
                same = _same_file(stat_regular(path), st)
            except (CatalogError, FileNotFoundError):
                same = False
            if same:
                self._parse_staged(key)
                return SeriesProgress(st.st_size, st.st_ino, st.st_size, st.st_mtime_ns, tail)
            run(self.con, "local/metric_lines_clear")
        return self._read_lines(key, path, st, 0, b"")

    def _read_lines(
        self, key: Key, path: Path, st: os.stat_result, offset: int, tail: bytes
    ) -> SeriesProgress:
        """The complete lines between `offset` and the size `st` saw (a torn last line waits)."""
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(max(0, st.st_size - offset))
        end = data.rfind(b"\n") + 1
        chunk = data[:end]
        if len(chunk) <= self.python_bytes:
            self._parse_in_python(key, chunk.split(b"\n")[:-1])
        else:
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                self._parse_in_python(key, chunk.split(b"\n")[:-1])
            else:
                run(self.con, "local/metric_lines_text", text=text, metric=key[2])
                self._parse_staged(key)
        tail = (tail + chunk)[-TAIL_BYTES:]
        return SeriesProgress(offset + end, st.st_ino, st.st_size, st.st_mtime_ns, tail)

    def _parse_staged(self, key: Key) -> None:
        project, model, metric = key
        added = run(self.con, "local/metric_series_insert", project=project, model=model, metric=metric)
        if added.fetchone()[0]:
            self.answers.pop(key, None)
        odd = run(self.con, "local/metric_lines_odd").fetchall()
        run(self.con, "local/metric_lines_clear")
        if odd:
            self._parse_in_python(key, [line.encode("utf-8") for (line,) in odd])

    def _parse_in_python(self, key: Key, lines: list[bytes]) -> None:
        project, model, metric = key
        needle = b'"' + metric.encode("utf-8", "surrogatepass") + b'"'
        steps: list[int] = []
        values: list[float] = []
        for raw in lines:
            if needle in raw or b"\\" in raw:  # else the line cannot hold the key
                row = history.parse_line(0, raw)
                if row is not None and metric in row.metrics and -(2**63) <= row.step < 2**63:
                    steps.append(row.step)
                    values.append(row.metrics[metric])
        if steps:
            self.answers.pop(key, None)
            run(
                self.con,
                "local/metric_series_append",
                project=project,
                model=model,
                metric=metric,
                steps=steps,
                values=values,
            )

    def _forget(self, key: Key) -> None:
        project, model, metric = key
        self.answers.pop(key, None)
        run(self.con, "local/metric_series_forget", project=project, model=model, metric=metric)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns)


def _tail(path: Path, end: int) -> bytes:
    start = max(0, end - TAIL_BYTES)
    with open(path, "rb") as f:
        f.seek(start)
        return f.read(end - start)


def _tail_is(path: Path, known: SeriesProgress) -> bool:
    """The bytes before `known.bytes` are still the ones read: the file only grew."""
    return _tail(path, known.bytes) == known.tail


_series: PerProcess[Path, MetricSeries] = PerProcess(MetricSeries)


def series_for(base_path: str | Path) -> MetricSeries:
    """One cache per store per process."""
    return _series.get(Path(base_path).absolute())
