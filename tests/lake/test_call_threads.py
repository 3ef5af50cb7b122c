"""A lake call returns only once the threads it started (the worker that bounds its time and
the watchdog that interrupts it) have ended. Until they end they hold the call's DuckDB
cursor, and a DuckDB object freed on a daemon thread while the interpreter exits aborts the
process (`terminate called without an active exception`): once seen at the end of
`art lake maintain` after it had printed its report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ..conftest import traj
from ..servers import Lake
from .fixtures import fresh_lake


def lingering(run: Callable[[threading.Thread], None]) -> Callable[[threading.Thread], None]:
    def slow(self: threading.Thread) -> None:
        run(self)
        time.sleep(0.1)  # a loaded machine gets round to the thread's end late

    return slow


def ours(threads: set[threading.Thread]) -> list[str]:
    mine = (t for t in threads if isinstance(t, threading.Timer) or t.name == "art-lake-call")
    return sorted(t.name for t in mine if t.is_alive())


@pytest.mark.parametrize("call", ["write", "maintain"])
def test_a_lake_call_returns_after_its_threads_have_ended(
    lake_servers: Lake, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    from art import TrajectoryGroup

    store = fresh_lake(lake_servers)
    store.log_step("exit", "threads", [TrajectoryGroup([traj(0.5)])], "train", 0, {})  # connect first
    monkeypatch.setattr(threading.Thread, "run", lingering(threading.Thread.run))
    monkeypatch.setattr(threading.Timer, "run", lingering(threading.Timer.run))
    before = set(threading.enumerate())
    if call == "write":
        store.log_step("exit", "threads", [TrajectoryGroup([traj(1.0)])], "train", 1, {})
    else:
        store.maintain(keep_seconds=0)
    assert ours(set(threading.enumerate()) - before) == []
