"""A step's aggregate metrics, computed by DuckDB over the step's Arrow table."""

from __future__ import annotations

import os
import threading

import duckdb
import pyarrow as pa

from art.store import sql

_lock = threading.Lock()
_con: duckdb.DuckDBPyConnection | None = None
_pid = 0


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (about 10 ms to create), remade after a fork."""
    global _con, _pid
    if _con is None or _pid != os.getpid():
        _con = duckdb.connect(":memory:", config={"threads": 1})
        _pid = os.getpid()
    return _con


def step_metrics(table: pa.Table, split: str) -> dict[str, float]:
    """`{split}/reward`, `/exception_rate`, trajectory and group metric means, `/reward_std_dev`."""
    with _lock:
        cur = _connection().cursor()
        try:
            cur.register("step_table", table)
            rows = sql.run(cur, "step_metrics", split=split).fetchall()
        finally:
            cur.close()
    return dict(rows)
