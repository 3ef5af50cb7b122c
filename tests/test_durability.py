"""What `log()` has made durable when it returns: the step's file, its name, then its history
line, in that order, so a power loss never leaves a history line without its file.

A power loss cannot be staged here; the test watches the sync calls the writer makes (the
only thing that decides what the disk holds after one) and the order they come in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from art import Model

from .conftest import group


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record each fsync/fdatasync (by the path its descriptor has, once it returned) and each
    rename, in order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_fdatasync, real_replace, real_mkdir = os.fsync, os.fdatasync, os.replace, os.mkdir

    def named(fd: int) -> str:
        return os.readlink(f"/proc/self/fd/{fd}")

    # a sync is recorded once it has returned (the disk holds the bytes from then on); a file's
    # is slow, as on a busy disk, so a rename that did not wait for it comes first
    def fsync(fd: int) -> None:
        path = named(fd)
        real_fsync(fd)
        events.append(("sync", path))

    def fdatasync(fd: int) -> None:
        path = named(fd)
        if path.endswith(".tmp"):
            time.sleep(0.05)
        real_fdatasync(fd)
        events.append(("sync", path))

    def replace(src: str, dst: str, **kwargs: int) -> None:
        real_replace(src, dst, **kwargs)
        where = named(kwargs["dst_dir_fd"]) if "dst_dir_fd" in kwargs else ""
        events.append(("rename", os.path.join(where, os.fspath(dst))))

    def mkdir(path: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real_mkdir(path, mode, dir_fd=dir_fd)
        where = named(dir_fd) if dir_fd is not None else ""
        events.append(("mkdir", os.path.realpath(os.path.join(where, os.fspath(path)))))

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    monkeypatch.setattr(os, "replace", replace)
    return events


@pytest.mark.parametrize("first", [True, False], ids=["new step", "replaced step"])
async def test_the_step_file_and_its_name_are_synced_before_its_history_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    if not first:
        await model.log([group(0.0)], split="val", step=3)
    events = _watch(monkeypatch)
    await model.log([group(1.0, 0.0)], split="val", step=3)
    monkeypatch.undo()

    model_dir = (tmp_path / "proj" / "models" / "agent").resolve()
    split_dir = str(model_dir / "trajectories" / "val")
    step_file = f"{split_dir}/0003.parquet"
    history = str(model_dir / "history.jsonl")
    renamed = events.index(("rename", step_file))
    temp = f"{split_dir}/."
    file_synced = [i for i, (kind, path) in enumerate(events) if kind == "sync" and path.startswith(temp)]
    assert file_synced and file_synced[-1] < renamed, events  # its bytes, under the temp name
    folder_synced = events.index(("sync", split_dir), renamed)  # its name
    history_synced = events.index(("sync", history))
    assert folder_synced < history_synced, events
    assert (tmp_path / "proj/models/agent/trajectories/val/0003.parquet").stat().st_size > 0


async def test_a_step_without_trajectories_syncs_its_history_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    events = _watch(monkeypatch)
    await model.log(None, split="train", step=1, metrics={"loss": 0.5})
    monkeypatch.undo()
    history = str((tmp_path / "proj/models/agent/history.jsonl").resolve())
    assert ("sync", history) in events


async def test_the_folders_a_first_step_makes_are_synced_into_their_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's name is an entry of its parent: a store, model or split folder made by the
    first step must reach the disk too, or a power loss drops the synced files inside it."""
    events = _watch(monkeypatch)
    base = tmp_path / "runs" / ".art"
    model = Model(name="agent", project="proj", base_path=str(base), report_metrics=[])
    await model.log([group(1.0)], split="val", step=0)
    monkeypatch.undo()

    made = [path for kind, path in events if kind == "mkdir"]
    real = base.resolve()
    for path in (
        real.parent,
        real,
        real / "proj",
        real / "proj/models/agent",
        real / "proj/models/agent/trajectories/val",
    ):
        assert str(path) in made, (path, made)
    history_synced = events.index(("sync", str(real / "proj/models/agent/history.jsonl")))
    assert ("sync", str(real / "proj/models/agent")) in events[history_synced:]  # the history's new name
    for path in made:
        made_at = events.index(("mkdir", path))
        parent_synced = events.index(("sync", os.path.dirname(path)), made_at)
        assert parent_synced < history_synced, (path, events)


async def test_model_json_and_its_name_are_synced_when_a_model_registers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from art import TrainableModel
    from art.local import LocalBackend

    model = TrainableModel(name="agent", project="proj", base_model="base", report_metrics=[])
    events = _watch(monkeypatch)
    await model.register(LocalBackend(path=str(tmp_path)))
    monkeypatch.undo()
    model_dir = str((tmp_path / "proj/models/agent").resolve())
    renamed = events.index(("rename", f"{model_dir}/model.json"))
    temp = f"{model_dir}/."
    assert any(kind == "sync" and path.startswith(temp) for kind, path in events[:renamed]), events
    assert ("sync", model_dir) in events[renamed:], events


async def test_a_failed_sync_of_model_json_is_a_store_write_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from art import TrainableModel
    from art.errors import StoreWriteError
    from art.local import LocalBackend

    (tmp_path / "proj/models/agent").mkdir(parents=True)
    model_dir = str((tmp_path / "proj/models/agent").resolve())
    real_fsync = os.fsync

    def failing(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}") == model_dir:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    model = TrainableModel(name="agent", project="proj", base_model="base", report_metrics=[])
    with pytest.raises(StoreWriteError, match=r"model\.json"):
        await model.register(LocalBackend(path=str(tmp_path)))
