"""log() writes the step's file under a temporary name and syncs it while DuckDB computes the
step's metrics: a query or a sync that fails then must leave neither the file nor a history
line, and a step logged before must keep its file as it was."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest

from art import Model
from art.errors import StoreWriteError
from art.store import metrics

from .conftest import group

SPLIT = "proj/models/agent/trajectories/val"


def _listing(tmp_path: Path) -> dict[str, bytes]:
    """Every entry of the split folder (temp files too) with its bytes."""
    folder = tmp_path / SPLIT
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _fail_query(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """The metrics query raises a DuckDB error; returns what the split folder held each time it
    was run (so the test knows the step's bytes were on disk by then)."""
    seen: list[list[str]] = []

    def run(self: metrics.StepQuery) -> dict[str, float]:
        seen.append(sorted(p.name for p in (tmp_path / SPLIT).iterdir()))
        raise duckdb.OutOfMemoryException("no memory left for the query")

    monkeypatch.setattr(metrics.StepQuery, "run", run)
    return seen


@pytest.mark.parametrize("replaced", [False, True], ids=["new step", "replaced step"])
async def test_a_failed_metrics_query_leaves_no_file_and_no_history_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replaced: bool
) -> None:
    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await model.log([group(1.0)], split="val", step=1)
    if replaced:
        await model.log([group(0.0)], split="val", step=2)
    history = (tmp_path / "proj/models/agent/history.jsonl").read_bytes()
    before = _listing(tmp_path)
    seen = _fail_query(monkeypatch, tmp_path)
    with pytest.raises(duckdb.OutOfMemoryException):
        await model.log([group(0.5, 0.25)], split="val", step=2)
    monkeypatch.undo()
    # the query ran while the step's bytes sat under a temporary name, not yet its own
    assert len(seen) == 1 and any(name.endswith(".tmp") for name in seen[0]), seen
    assert "0002.parquet" not in seen[0] or replaced
    assert _listing(tmp_path) == before  # no temp file, no new file, an old step as it was
    assert (tmp_path / "proj/models/agent/history.jsonl").read_bytes() == history
    # the model goes on: the next call writes the step
    row = await model.log([group(0.5, 0.25)], split="val", step=2)
    assert row["val/reward"] == pytest.approx(0.375)
    assert "0002.parquet" in _listing(tmp_path)


async def test_a_failed_sync_in_the_worker_names_the_file_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await model.log([group(1.0)], split="val", step=1)
    history = (tmp_path / "proj/models/agent/history.jsonl").read_bytes()
    before = _listing(tmp_path)
    real = os.fdatasync
    failed: list[str] = []

    def fdatasync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.endswith(".tmp"):
            failed.append(path)
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    with pytest.raises(StoreWriteError, match=r"0002\.parquet"):
        await model.log([group(0.5)], split="val", step=2)
    monkeypatch.undo()
    assert failed
    assert _listing(tmp_path) == before
    assert (tmp_path / "proj/models/agent/history.jsonl").read_bytes() == history


async def test_steps_logged_from_many_threads_at_once_are_all_whole(tmp_path: Path) -> None:
    """More writers than sync workers: each step's file and history line are there."""
    import asyncio

    models = [
        Model(name=f"agent{i}", project="proj", base_path=str(tmp_path), report_metrics=[]) for i in range(6)
    ]
    logs = (m.log([group(0.25 * s, 1.0)], split="val", step=s) for m in models for s in range(4))
    await asyncio.gather(*logs)
    for m in models:
        folder = tmp_path / "proj/models" / m.name
        assert sorted(p.name for p in (folder / "trajectories/val").iterdir()) == [
            f"{s:04d}.parquet" for s in range(4)
        ]
        assert len((folder / "history.jsonl").read_text().splitlines()) == 4
