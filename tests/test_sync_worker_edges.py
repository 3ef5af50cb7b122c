"""Edges of log()'s file sync beside its metrics query: a child forked while another thread
runs the query, and a sync worker that cannot be started."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from art import Model
from art.store import metrics, sync_worker
from art.store.per_process import PerProcess

from .conftest import group
from .forking import in_forked_child


def test_a_child_forked_while_a_thread_computes_metrics_logs_its_own_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The metrics query runs under a process-wide lock; a child forked while another thread
    held it waited for it forever (the thread that would release it is not in the child)."""
    parent = os.getpid()
    inside, release = threading.Event(), threading.Event()
    real = metrics.no_pandas

    @contextlib.contextmanager
    def slow_no_pandas() -> Iterator[None]:  # the parent's thread stays inside the query
        if os.getpid() == parent:
            inside.set()
            release.wait(30)
        with real():
            yield

    monkeypatch.setattr(metrics, "no_pandas", slow_no_pandas)
    busy = threading.Thread(target=metrics.step_metrics, args=([group(1.0)], "val"))
    busy.start()
    try:
        assert inside.wait(10)

        def child_logs() -> bool:
            model = Model(name="child", project="p", base_path=str(tmp_path), report_metrics=[])
            row = asyncio.run(model.log([group(0.5, 0.25)], split="val", step=0))
            return row["val/reward"] == 0.375

        code = in_forked_child(child_logs)
    finally:
        release.set()
        busy.join()
    assert code == 0, "the forked child's log() hung on the parent's metrics lock"
    assert (tmp_path / "p/models/child/trajectories/val/0000.parquet").exists()


def test_a_sync_worker_that_cannot_start_leaves_the_descriptor_to_one_closer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new worker thread that fails to start (no thread left: RuntimeError) after the job was
    queued: the file is synced and closed here, and the busy worker that later takes the
    queued job must not close the descriptor again (by then another file's)."""
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="art-sync-test")
    monkeypatch.setattr(sync_worker, "_executors", PerProcess(lambda _: executor))
    blocked, release = threading.Event(), threading.Event()

    def hold() -> None:
        blocked.set()
        release.wait(30)

    executor.submit(hold)  # the one worker is busy
    assert blocked.wait(10)
    real_start = threading.Thread.start

    def no_thread(self: threading.Thread) -> None:
        if self.name.startswith("art-sync-test"):
            raise RuntimeError("can't start new thread")
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    fd = os.open(tmp_path / "step.tmp", os.O_WRONLY | os.O_CREAT)
    os.write(fd, b"bytes")
    try:
        done = sync_worker.sync_and_close_soon(fd)
    finally:
        monkeypatch.setattr(threading.Thread, "start", real_start)
    done.result(timeout=10)
    with open(tmp_path / "other", "wb") as other:  # takes the number the step's file had
        assert other.fileno() == fd
        release.set()
        executor.shutdown(wait=True)  # the queued job has run (or been skipped)
        other.write(b"still open")  # a second close of `fd` closed this file: EBADF on flush
        other.flush()
        os.fstat(other.fileno())
    assert (tmp_path / "other").read_bytes() == b"still open"
