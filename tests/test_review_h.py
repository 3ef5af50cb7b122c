"""Review findings (issue 17, round h): durability error paths and the reader's quiet models."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import art
from art import Model
from art.errors import StoreWriteError

from .conftest import group


def _fail_fsync_of(monkeypatch: pytest.MonkeyPatch, suffix: str) -> list[str]:
    """os.fsync fails with EIO on a descriptor whose path ends with `suffix` (a disk error:
    what the test is about); the others are synced for real."""
    real = os.fsync
    failed: list[str] = []

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.endswith(suffix):
            failed.append(path)
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return failed


async def test_a_step_whose_folder_sync_fails_leaves_no_file_the_history_does_not_announce(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """log() syncs the split folder after renaming the step's file into it; when that sync
    fails, log() raises and appends no history line, so the file must not stay behind (a
    reader would count trajectories of a step the writer was told failed)."""
    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await model.log([group(1.0)], split="val", step=1)
    failed = _fail_fsync_of(monkeypatch, "/trajectories/val")
    with pytest.raises(StoreWriteError):
        await model.log([group(0.5, 0.25)], split="val", step=2)
    monkeypatch.undo()
    assert failed
    split = tmp_path / "proj/models/agent/trajectories/val"
    history = (tmp_path / "proj/models/agent/history.jsonl").read_text()
    assert '"step": 2' not in history
    assert sorted(p.name for p in split.glob("*.parquet")) == ["0001.parquet"]
    con = art.connect(tmp_path)
    assert con.execute("SELECT DISTINCT step FROM trajectories ORDER BY step").fetchall() == [(1,)]
