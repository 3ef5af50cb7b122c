"""What a log() may write and what it must leave behind: whole history lines or none (a full
disk, a torn tail), one call's file and history row per step under concurrency, and no write
through a symbolic link out of the store."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import art
from art import LocalBackend, Model, TrainableModel, Trajectory, TrajectoryGroup
from art.checkpoints import best_steps
from art.errors import MetricNotFoundError, OutsideStoreError, StoreWriteError

from .conftest import group


def text_group(reward: float, content: str, size: int = 1) -> TrajectoryGroup:
    return TrajectoryGroup(
        [
            Trajectory(messages_and_choices=[{"role": "user", "content": content}], reward=reward)
            for _ in range(size)
        ]
    )


def model(base: Path, name: str = "agent") -> Model:
    return Model(name=name, project="proj", base_path=str(base), report_metrics=[])


def lines_of(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.splitlines()]


# -- 1. short writes and full disks -----------------------------------------------------------

FULL_DISK_CHILD = textwrap.dedent(
    """
    import asyncio, os, resource, signal, sys
    import art
    from art.errors import StoreWriteError

    base = sys.argv[1]
    m = art.Model(name="agent", project="proj", base_path=base, report_metrics=[])
    asyncio.run(m.log(split="val", step=0, metrics={"reward": 1.0}))
    m.store.flush()  # the catalog is written now, before the limit
    # the file size limit makes the kernel cut the next write short, then refuse (EFBIG)
    limit = os.path.getsize(f"{base}/proj/models/agent/history.jsonl") + 100
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    metrics = {f"m{i:04d}": float(i) for i in range(600)}
    try:
        asyncio.run(m.log(split="val", step=1, metrics=metrics))
    except StoreWriteError as e:
        print("refused:", e)
        sys.exit(3)
    print("returned")
    """
)


def test_a_short_write_raises_naming_the_file_and_leaves_no_partial_line(tmp_path: Path) -> None:
    history = tmp_path / "proj/models/agent/history.jsonl"
    out = subprocess.run(
        [sys.executable, "-c", FULL_DISK_CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 3, out.stdout + out.stderr
    assert str(history) in out.stdout
    assert [row["step"] for row in lines_of(history)] == [0]
    with art.connect(tmp_path) as con:
        assert con.execute("SELECT DISTINCT step FROM history").fetchall() == [(0,)]


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 1 MiB file system (tmpfs), filled up by the test; CI runs as root."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
async def test_a_full_disk_refuses_log_and_keeps_every_line_whole(tiny_disk: Path) -> None:
    m = model(tiny_disk)
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as f, pytest.raises(OSError):
        while True:
            f.write(b"\0" * 4096)
    history = tiny_disk / "proj/models/agent/history.jsonl"
    with pytest.raises(StoreWriteError, match=str(history)):
        await m.log(split="val", step=1, metrics={f"m{i:04d}": float(i) for i in range(600)})
    big = [text_group(0.5, os.urandom(400_000).hex(), size=2)]
    with pytest.raises(StoreWriteError, match=r"0002\.parquet"):
        await m.log(big, split="val", step=2)
    assert not (tiny_disk / "proj/models/agent/trajectories/val").exists() or not any(
        (tiny_disk / "proj/models/agent/trajectories/val").iterdir()
    )
    filler.unlink()
    await m.log(split="val", step=3, metrics={"reward": 0.5})
    assert [row["step"] for row in lines_of(history)] == [0, 3]


async def test_a_torn_tail_is_cut_before_the_next_append(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0)], step=0)
    history = tmp_path / "proj/models/agent/history.jsonl"
    whole = history.read_bytes()
    with history.open("ab") as f:
        f.write(b'{"val/reward": 0.3, "step": 9, "recor')
    await m.log([group(0.5)], step=1)
    assert history.read_bytes().startswith(whole)
    assert [row["step"] for row in lines_of(history)] == [0, 1]


# -- 5. concurrent logs of one step -------------------------------------------------------------


async def test_concurrent_logs_of_a_step_keep_file_and_last_row_from_one_call(tmp_path: Path) -> None:
    m = model(tmp_path)
    for trial in range(5):
        calls = [
            m.log([text_group(float(i), f"call {i} " * 200)], split="val", step=trial, metrics={"call": i})
            for i in range(20)
        ]
        await asyncio.gather(*calls)
        last = [r for r in lines_of(tmp_path / "proj/models/agent/history.jsonl") if r["step"] == trial][-1]
        table = pq.read_table(tmp_path / f"proj/models/agent/trajectories/val/{trial:04d}.parquet")
        assert table["reward"].to_pylist() == [last["val/call"]]


# -- 7. no write through a link out of the store --------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    (out / "folder").mkdir(parents=True)
    (out / "file.txt").write_text("precious\n")
    return out


async def test_history_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    m = model(base)
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    history = base / "proj/models/agent/history.jsonl"
    history.unlink()
    history.symlink_to(outside / "file.txt")
    before = snapshot(outside)
    with pytest.raises(OutsideStoreError, match=r"history\.jsonl"):
        await m.log(split="val", step=1, metrics={"reward": 1.0})
    assert snapshot(outside) == before


async def test_readers_do_not_follow_a_history_link_or_open_a_fifo(tmp_path: Path, outside: Path) -> None:
    """A history.jsonl that is a link (here to another store's history) or a FIFO is read as
    no history by every reader (art.connect, best step), and a FIFO never blocks them."""
    base = tmp_path / "store"
    m = model(base)
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    elsewhere = outside / "history.jsonl"
    elsewhere.write_text('{"val/reward": 9.0, "step": 7}\n')
    history = base / "proj/models/agent/history.jsonl"
    for plant in (lambda: history.symlink_to(elsewhere), lambda: os.mkfifo(history)):
        history.unlink()
        plant()
        con = art.connect(base)
        assert con.execute("SELECT count(*) FROM history").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        with pytest.raises(MetricNotFoundError):
            best_steps(base, "proj", "agent", "val/reward")


async def test_readers_do_not_follow_a_models_folder_link(tmp_path: Path) -> None:
    """A project's `models` folder that is a link (to another store's) holds no model for a
    reader, as a project or model folder that is a link already did not."""
    other = tmp_path / "other"
    await model(other).log(split="val", step=0, metrics={"reward": 1.0})
    base = tmp_path / "store"
    await model(base, "mine").log(split="val", step=0, metrics={"reward": 0.5})
    (base / "q").mkdir()
    (base / "q" / "models").symlink_to(other / "proj" / "models")
    con = art.connect(base)
    assert con.execute("SELECT project, model FROM runs").fetchall() == [("proj", "mine")]
    assert con.execute("SELECT count(*) FROM history WHERE project = 'q'").fetchone() == (0,)


async def test_readers_do_not_read_a_model_json_link(tmp_path: Path, outside: Path) -> None:
    """model.json's text reaches SQL (`models.model_json`): a link to any file the reader may
    read (a dashboard run by another user) would show that file; it reads as no model.json."""
    base = tmp_path / "store"
    await model(base).log(split="val", step=0, metrics={"reward": 1.0})
    secret = outside / "secret.txt"
    secret.write_text('{"base_model": "not the store\'s"}')
    (base / "proj/models/agent/model.json").symlink_to(secret)
    con = art.connect(base)
    models = con.execute("SELECT model, base_model, model_json FROM models").fetchall()
    assert models == [("agent", None, None)]


async def test_trajectory_folder_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    m = model(base)
    await m.log([group(1.0)], split="val", step=0)
    (base / "proj/models/agent/trajectories/test").symlink_to(outside / "folder")
    before = snapshot(outside)
    with pytest.raises(OutsideStoreError, match="trajectories/test"):
        await m.log([group(1.0)], split="test", step=2)
    assert snapshot(outside) == before and list((outside / "folder").iterdir()) == []


async def test_trajectory_file_link_is_replaced_not_followed(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    m = model(base)
    await m.log([group(1.0)], split="val", step=0)
    target = base / "proj/models/agent/trajectories/val/0001.parquet"
    target.symlink_to(outside / "file.txt")
    await m.log([group(0.25)], split="val", step=1)
    assert (outside / "file.txt").read_text() == "precious\n"
    assert not target.is_symlink() and pq.read_table(target)["reward"].to_pylist() == [0.25]


async def test_model_json_and_checkpoints_linked_outside_are_refused(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    m = TrainableModel(name="agent", project="proj", base_model="b", report_metrics=[])
    await m.register(LocalBackend(path=base))
    model_json = base / "proj/models/agent/model.json"
    model_json.unlink()
    model_json.symlink_to(outside / "file.txt")
    await m.register(LocalBackend(path=base))  # replaces the link, never writes through it
    assert not model_json.is_symlink() and json.loads(model_json.read_text())["name"] == "agent"
    (outside / "folder" / "0001").mkdir()
    (base / "proj/models/agent/checkpoints").symlink_to(outside / "folder")
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    before = snapshot(outside)
    with pytest.raises(OutsideStoreError, match="checkpoints"):
        await m.delete_checkpoints()
    assert (outside / "folder" / "0001").is_dir() and snapshot(outside) == before


async def test_catalog_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    base.mkdir()
    (base / "catalog.duckdb").symlink_to(outside / "file.txt")
    before = snapshot(outside)
    with pytest.raises(OutsideStoreError, match=r"catalog\.duckdb"):
        art.connect(base)
    assert snapshot(outside) == before


async def test_project_folder_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    base = tmp_path / "store"
    base.mkdir()
    (base / "proj").symlink_to(outside / "folder")
    with pytest.raises(OutsideStoreError, match="proj"):
        await model(base).log([group(1.0)], split="val", step=0)
    assert list((outside / "folder").iterdir()) == []
