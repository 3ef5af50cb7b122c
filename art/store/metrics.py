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
# One in-memory DuckDB per process for the metrics query (about 10 ms to create).
_connections: PerProcess[None, duckdb.DuckDBPyConnection] = PerProcess(
    lambda _: duckdb.connect(":memory:", config={"threads": 1})
)


def entries(groups: Sequence[TrajectoryGroup]) -> pa.Table:
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
    table = entries(groups)
    with _lock:
        cur = _connections.get(None).cursor()
        try:
            # a stream, not a Table: DuckDB then reads it without going through pyarrow.dataset
            with no_pandas():
                cur.register("entries", table.to_reader())
            rows = sql.run(cur, "step_metrics", split=split).fetchall()
        finally:
            cur.close()
    return dict(rows)
