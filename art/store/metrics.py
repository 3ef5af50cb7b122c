"""A step's aggregate metrics: the groups' values are gathered per metric in Python, and
DuckDB computes the formulas over them (sql/step_metrics.sql)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import duckdb
import pyarrow as pa

from art.store import sql
from art.store.ledger import SUMMED_PREFIXES
from art.store.no_pandas import no_pandas
from art.store.per_process import PerProcess

if TYPE_CHECKING:
    from art.trajectories import TrajectoryGroup

VALUES = pa.list_(pa.list_(pa.float64()))
ENTRIES_SCHEMA = pa.schema([("names", pa.list_(pa.string())), ("values", VALUES), ("rewards", VALUES)])

# a trajectory metric of one of these names is averaged by ART, then its key is set to the
# step's own value (Model.log): the step's own is what its history holds
STEP_OWN = frozenset({"reward", "exception_rate"})


class _Metrics(NamedTuple):
    """The process's in-memory DuckDB for the metrics query, the query as DuckDB parsed it, and
    the lock its one connection is used under. The lock is the process's own like the rest: a
    module-wide lock held by another thread at a fork stayed held in the child for good."""

    con: duckdb.DuckDBPyConnection
    statement: duckdb.Statement
    lock: threading.Lock


def _metrics_connection(_: None) -> _Metrics:
    """The process's in-memory DuckDB for the metrics query (about 10 ms to create, so one).

    Its inputs are a few thousand values: one thread and a small memory limit are plenty, and
    the optimizer is off (planning the query costs more than running it unoptimized; the
    answer is the same, checked against ART's formulas by the tests). The query is parsed
    once: its text, with its header, costs DuckDB's parser ~0.1 ms a call.
    """
    con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": "64MB"})
    con.execute("PRAGMA disable_optimizer")
    (statement,) = con.extract_statements(sql.query("step_metrics").text)
    return _Metrics(con, statement, threading.Lock())


# One connection per process (a forked child makes its own).
_connections: PerProcess[None, _Metrics] = PerProcess(_metrics_connection)


def entry_table(groups: Sequence[TrajectoryGroup]) -> pa.Table:
    """The query's one input row: each metric's name and the values its mean is over, in
    history key order, and each group's rewards (Arrow keeps a NaN a NaN). Summed keys
    (costs/, time/step_, data/step_) are ART's ledger's, not averaged."""
    rewards: list[float] = []
    exceptions: list[float] = []
    trajectory: dict[str, list[float]] = {}
    group_metrics: dict[str, list[float]] = {}
    per_group: list[list[float]] = []
    for group in groups:
        own: list[float] = []
        for t in group.trajectories:
            if t.reward == t.reward:  # a NaN reward is stored but kept out of every mean
                own.append(float(t.reward))
            exceptions.append(0.0)
            for key, value in t.metrics.items():
                if not key.startswith(SUMMED_PREFIXES) and key not in STEP_OWN:
                    trajectory.setdefault(key, []).append(float(value))
        exceptions.extend([1.0] * len(group.exceptions))
        if group.trajectories:
            for key, value in group.metrics.items():
                if not key.startswith(SUMMED_PREFIXES):
                    group_metrics.setdefault(key, []).append(float(value))
        rewards.extend(own)
        per_group.append(own)
    names: list[str] = []
    values: list[list[float]] = []
    for name, vals in (("/reward", rewards), ("/exception_rate", exceptions)):
        if vals:
            names.append(name)
            values.append(vals)
    for prefix, section in (("/", trajectory), ("/group/", group_metrics)):
        for key, vals in section.items():
            names.append(prefix + key)
            values.append(vals)
    return pa.Table.from_pydict(
        {"names": [names], "values": [values], "rewards": [per_group]}, schema=ENTRIES_SCHEMA
    )


def own_keys(split: str) -> tuple[str, str, str]:
    """The step's own values, which openpipe-art 0.5.23 writes after every other mean."""
    return f"{split}/reward", f"{split}/reward_std_dev", f"{split}/exception_rate"


class StepQuery(NamedTuple):
    """A step's metrics query, its input gathered (`step_query`) and not yet run (`run`)."""

    split: str
    entries: pa.Table

    def run(self) -> dict[str, float]:
        """Trajectory and group metric means, then `{split}/reward`, `/reward_std_dev` and
        `/exception_rate`, in the order openpipe-art 0.5.23 writes them."""
        query = sql.query("step_metrics")
        params = query.bind({"split": self.split})
        con, statement, lock = _connections.get(None)
        with lock:
            # DuckDB finds `entries` among this frame's variables (a replacement scan): an Arrow
            # stream capsule, read once, costs ~1.3 ms less per call than register()/unregister()
            # of a view over a pyarrow object (a catalog change each, and pyarrow's dataset path).
            entries = self.entries.__arrow_c_stream__()  # noqa: F841 (read by DuckDB by name)
            with no_pandas():
                keys, means = con.execute(statement, params).fetchone()
        found = dict(zip(keys, means, strict=True))
        # in ART's order: its Model.log sets the step's reward, reward_std_dev and exception_rate
        # after the other means (a history line's keys are a DataFrame's columns)
        last = own_keys(self.split)
        ordered = {key: value for key, value in found.items() if key not in last}
        ordered.update((key, found[key]) for key in last if key in found)
        return ordered


def step_query(groups: Sequence[TrajectoryGroup], split: str) -> StepQuery:
    """The query of `step_metrics`, its input gathered (a value that is no number raises here)."""
    return StepQuery(split, entry_table(groups))


def step_metrics(groups: Sequence[TrajectoryGroup], split: str) -> dict[str, float]:
    """Trajectory and group metric means, then `{split}/reward`, `/reward_std_dev` and
    `/exception_rate`, in the order openpipe-art 0.5.23 writes them."""
    return step_query(groups, split).run()
