"""A step's aggregate metrics: the groups are flattened into the values the formulas average,
and DuckDB computes the formulas (sql/step_metrics.sql)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from art.store import sql
from art.store.ledger import SUMMED_PREFIXES
from art.store.no_pandas import no_pandas
from art.store.per_process import PerProcess

if TYPE_CHECKING:
    from art.trajectories import TrajectoryGroup

ENTRIES_SCHEMA = pa.schema(
    [
        ("section", pa.int8()),
        ("ord", pa.int64()),
        ("g", pa.int64()),
        ("name", pa.string()),
        ("value", pa.float64()),
    ]
)
REWARD, EXCEPTION, TRAJECTORY_METRIC, GROUP_METRIC = 0, 1, 2, 3

_lock = threading.Lock()


def _metrics_connection(_: None) -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB for the metrics query (about 10 ms to create, so one).

    Its inputs are a few thousand rows: one thread and a small memory limit are plenty, and
    the optimizer is off (planning the query costs more than running it unoptimized; the
    answer is the same, checked against ART's formulas by the tests).
    """
    con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": "64MB"})
    con.execute("PRAGMA disable_optimizer")
    return con


# One connection per process (a forked child makes its own).
_connections: PerProcess[None, duckdb.DuckDBPyConnection] = PerProcess(_metrics_connection)


def entry_table(groups: Sequence[TrajectoryGroup]) -> pa.Table:
    """The values each formula averages, one row each, in the order they were seen; summed
    keys (costs/, time/step_, data/step_) are ART's ledger's, not averaged."""
    cols: dict[str, list[Any]] = {name: [] for name in ENTRIES_SCHEMA.names}
    section, ords, gs, names, values = (cols[n] for n in ENTRIES_SCHEMA.names)

    def add(sec: int, g: int, name: str, value: float) -> None:
        section.append(sec)
        ords.append(len(ords))
        gs.append(g)
        names.append(name)
        values.append(float(value))

    for gi, group in enumerate(groups):
        for t in group.trajectories:
            if t.reward == t.reward:  # a NaN reward is stored but kept out of every mean
                add(REWARD, gi, "reward", t.reward)
            add(EXCEPTION, gi, "exception_rate", 0.0)
            for key, value in t.metrics.items():
                if not key.startswith(SUMMED_PREFIXES):
                    add(TRAJECTORY_METRIC, gi, key, value)
        for _ in group.exceptions:
            add(EXCEPTION, gi, "exception_rate", 1.0)
        if group.trajectories:
            for key, value in group.metrics.items():
                if not key.startswith(SUMMED_PREFIXES):
                    add(GROUP_METRIC, gi, key, value)
    return pa.Table.from_pydict(cols, schema=ENTRIES_SCHEMA)


def step_metrics(groups: Sequence[TrajectoryGroup], split: str) -> dict[str, float]:
    """`{split}/reward`, `/exception_rate`, trajectory and group metric means, `/reward_std_dev`."""
    query = sql.query("step_metrics")
    params = query.bind({"split": split})
    table = entry_table(groups)
    with _lock:
        con = _connections.get(None)
        # DuckDB finds `entries` among this frame's variables (a replacement scan): an Arrow
        # stream capsule, read once, costs ~1.3 ms less per call than register()/unregister()
        # of a view over a pyarrow object (a catalog change each, and pyarrow's dataset path).
        entries = table.__arrow_c_stream__()  # noqa: F841 (read by DuckDB by name)
        with no_pandas():
            rows = con.execute(query.text, params).fetchall()
    return dict(rows)
