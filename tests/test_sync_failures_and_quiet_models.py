"""Durability when a sync fails (a disk error), the models a reader passes over (ingest.model_key), and
links planted between the catch-up and the sandbox's lock-down."""

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


async def test_a_step_whose_record_fails_after_the_rename_leaves_no_file_the_history_does_not_announce(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the rename and the history line the writer records the file it wrote (its
    stat and counts, for the catalog); a failure there raises before any history line, so
    the new step's file must go too."""
    from art.store import writer

    model = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await model.log([group(1.0)], split="val", step=1)

    def own_file(*args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writer, "own_file", own_file)
    with pytest.raises(OSError):
        await model.log([group(0.5, 0.25)], split="val", step=2)
    monkeypatch.undo()
    split = tmp_path / "proj/models/agent/trajectories/val"
    assert '"step": 2' not in (tmp_path / "proj/models/agent/history.jsonl").read_text()
    assert sorted(p.name for p in split.iterdir()) == ["0001.parquet"]
    con = art.connect(tmp_path)
    assert con.execute("SELECT DISTINCT step FROM trajectories ORDER BY step").fetchall() == [(1,)]


def _syncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the descriptors fsync'd or fdatasync'd, in order (synced for real)."""
    synced: list[str] = []
    real_fsync, real_fdatasync = os.fsync, os.fdatasync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def fdatasync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fdatasync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    return synced


async def test_a_model_folder_another_process_made_first_is_synced_before_the_step_is_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers make the same model folder at once: the one whose mkdir loses the race
    (FileExistsError) must not acknowledge a step before the folder's name is synced into its
    parent; the winner may not have synced it yet. (The race is staged: the other process's
    mkdir runs first, its fsync not yet; what the test is about.)"""
    base = tmp_path / "store"
    (base / "proj/models").mkdir(parents=True)
    real_mkdir = os.mkdir

    def mkdir(path: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        if path == "agent" and dir_fd is not None:
            real_mkdir(path, mode, dir_fd=dir_fd)  # the other process, first
            raise FileExistsError(errno.EEXIST, "File exists", path)
        real_mkdir(path, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", mkdir)
    synced = _syncs(monkeypatch)
    model = Model(name="agent", project="proj", base_path=str(base), report_metrics=[])
    await model.log([group(1.0)], split="val", step=0)
    monkeypatch.undo()
    models = str((base / "proj/models").resolve())
    history = str((base / "proj/models/agent/history.jsonl").resolve())
    assert models in synced[: synced.index(history)], synced


@pytest.mark.parametrize(
    ("made", "failing", "named", "parent"),
    [
        ("store/proj/models", "/proj/models", "agent", "store/proj/models"),  # a model folder
        ("", "/runs", "runs", "runs"),  # the store folder: base_path and its missing parents
    ],
    ids=["model folder", "store folder"],
)
async def test_a_folder_whose_sync_failed_is_synced_by_the_next_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: str, failing: str, named: str, parent: str
) -> None:
    """A folder a first step makes, its parent's sync failing (a disk error): log() raises a
    StoreWriteError naming the folder, and the next log() that succeeds has synced the folder's
    name into its parent (the folder is not left behind as if it had been synced)."""
    base = tmp_path / "store" if made else tmp_path / "runs" / ".art"
    if made:
        (tmp_path / made).mkdir(parents=True)
    model = Model(name="agent", project="proj", base_path=str(base), report_metrics=[])
    failed = _fail_fsync_of(monkeypatch, failing)
    with pytest.raises(StoreWriteError, match=named):
        await model.log([group(1.0)], split="val", step=0)
    monkeypatch.undo()
    assert failed
    synced = _syncs(monkeypatch)
    await model.log([group(1.0)], split="val", step=0)
    monkeypatch.undo()
    history = str((base / "proj/models/agent/history.jsonl").resolve())
    assert str((tmp_path / parent).resolve()) in synced[: synced.index(history)], synced


async def _quiet_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A catalogued store of models a and b whose warm opens pass over both (ingest.model_key);
    returns it and the models walked since."""
    from art.store import catalog_snapshot, ingest, paths

    from .test_catalog_snapshot import catalogued_store

    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))
    walked: list[str] = []
    real = ingest._sync_files
    ours = (tmp_path / "s").resolve()

    def sync_files(con: object, b: Path, p: str, model: str, *a: object) -> set[str]:
        if Path(b).resolve() == ours:  # not an earlier test's writer, catching up in the background
            walked.append(model)
        return real(con, b, p, model, *a)

    monkeypatch.setattr(ingest, "_sync_files", sync_files)
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    walked.clear()
    for _ in range(2):
        art.connect(base).close()
    assert walked == ["a", "b"]  # the second open passed over both
    walked.clear()
    return base, walked


async def test_a_quiet_models_model_json_rewritten_in_place_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While b is passed over, its model.json rewritten in place (same inode) is seen."""
    import json

    base, walked = await _quiet_store(tmp_path, monkeypatch)
    path = base / "p/models/b/model.json"
    doc = json.loads(path.read_text()) if path.exists() else {"name": "b", "project": "p"}
    doc.update({"trainable": True, "base_model": "m"})
    path.write_text(json.dumps(doc))
    got = art.connect(base).execute("SELECT trainable, base_model FROM models WHERE model = 'b'")
    assert got.fetchall() == [(True, "m")]
    assert walked == ["b"]


async def test_a_quiet_models_history_replaced_at_the_same_size_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While b is passed over, its history.jsonl replaced by a file of the same size (its lines
    reordered, so the same bytes count) is read again."""
    from .test_catalog_snapshot import answers, files_only_copy

    base, walked = await _quiet_store(tmp_path, monkeypatch)
    history = base / "p/models/b/history.jsonl"
    lines = history.read_text().splitlines()
    changed = [lines[0].replace("1.0", "3.0", 1), *lines[1:]]
    assert changed != lines and len("\n".join(changed)) == len("\n".join(lines))
    (base / "new.jsonl").write_text("\n".join(changed) + "\n")
    os.replace(base / "new.jsonl", history)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))
    assert "b" in walked


async def test_a_quiet_model_deleted_and_copied_back_with_its_times_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While b is passed over, b deleted and another model's folder copied in its place with
    its times (shutil.copytree keeps mtimes) is read as the files now hold it."""
    import shutil

    from .test_catalog_snapshot import answers, files_only_copy

    base, _ = await _quiet_store(tmp_path, monkeypatch)
    models = base / "p/models"
    shutil.copytree(models / "a", tmp_path / "a-copy")
    (tmp_path / "a-copy/history.jsonl").write_text(
        (tmp_path / "a-copy/history.jsonl").read_text().replace('"loss": 1.0', '"loss": 5.0')
    )
    shutil.rmtree(models / "b")
    shutil.copytree(tmp_path / "a-copy", models / "b")
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


@pytest.mark.parametrize("how", ["split_replaced_by_link", "nested_link"])
async def test_a_link_planted_between_the_catch_up_and_the_lock_down_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The sandbox's link checks take the catch-up's lstat of each split and trajectories
    folder: a split folder swapped for a link (or a link planted in it) after the catch-up
    walked it, before the checks (a first open's bulk count takes seconds: someone else writing
    the store wins the race; here it is made to win), must not leave the folder allowed whole,
    its link's target's names listed by glob(), as test_sandbox_attacks checks for a change
    between two opens."""
    from art.errors import OutsideStoreError
    from art.store import ingest, local_views, paths

    from .test_read_path import small_store
    from .test_sandbox_attacks import refused

    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))
    monkeypatch.setattr(local_views, "_dirs_seen", {})
    monkeypatch.setattr(local_views, "_only_files_seen", {})
    monkeypatch.setattr(ingest, "_splits_seen", {})
    base = await small_store(tmp_path / "s", models=("a",))
    traj = base / "p/models/a/trajectories"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep/secret.txt").write_text("secret")
    art.connect(base).close()  # the folders' listings remembered
    real = local_views.sync_models

    def then_swapped(*args: object, **kwargs: object) -> int:
        n = real(*args, **kwargs)
        if how == "nested_link":
            (traj / "val/evil").symlink_to(outside)
        else:  # the split folder moved out, a link to it put in its place
            os.rename(traj / "val", outside / "val")
            (traj / "val").symlink_to(outside / "val")
        return n

    monkeypatch.setattr(local_views, "sync_models", then_swapped)
    try:
        con = art.connect(base)
    except OutsideStoreError:  # refusing the open is fine too
        return
    monkeypatch.undo()
    for pattern in (f"{traj}/*/*", f"{traj}/*/*/*", f"{traj}/**"):
        refused(con, "SELECT * FROM glob($p)", pattern)
