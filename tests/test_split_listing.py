"""A split folder listed again (the last one a writer touched before it stopped: every cold
reader lists it) is compared with what the catalog recorded there, file by file: new and
changed step files are found in path order, recorded ones no longer there are gone, and
anything but a regular NNNN.parquet file is passed over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from art.store import ingest


def _write(path: Path, data: bytes) -> tuple[int, int]:
    path.write_bytes(data)
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def test_a_split_folder_listed_again_finds_new_changed_and_gone_files(tmp_path: Path) -> None:
    rel_dir = "p/models/m/trajectories/train"
    split = tmp_path / rel_dir
    split.mkdir(parents=True)
    recorded = []
    for step in range(30):  # as the catalog holds them
        size, mtime = _write(split / f"{step:04d}.parquet", b"x" * 10)
        recorded.append((f"{rel_dir}/{step:04d}.parquet", size, mtime))
    recorded.append((f"{rel_dir}/0030.parquet", 10, 1))  # recorded, removed since
    recorded.append((f"{rel_dir}/0031.parquet", 10, 1))  # recorded, a link now
    recorded.append((f"{rel_dir}/0032.parquet", 10, 1))  # recorded, a folder now
    _write(split / "0007.parquet", b"y" * 20)  # replaced: another size
    for step in range(40, 60):  # new steps, more than a listing's order could sort by chance
        _write(split / f"{step:04d}.parquet", b"z")
    (split / "0031.parquet").symlink_to(split / "0001.parquet")
    (split / "0032.parquet").mkdir()
    _write(split / "notes.txt", b"not a step")
    _write(split / "12a4.parquet", b"not a step either")

    checked = []
    found, gone = ingest._sync_split(
        split, rel_dir, "p", "m", "train", recorded, False, lambda: checked.append(1)
    )

    assert [(f.rel, f.step, f.bytes) for f in found] == [
        (f"{rel_dir}/0007.parquet", 7, 20),
        *((f"{rel_dir}/{s:04d}.parquet", s, 1) for s in range(40, 60)),
    ]
    assert all(f.path == split / f.rel.rsplit("/", 1)[1] for f in found)
    assert all(f.project == "p" and f.model == "m" and f.split == "train" for f in found)
    assert gone == [f"{rel_dir}/0030.parquet", f"{rel_dir}/0031.parquet", f"{rel_dir}/0032.parquet"]
    assert len(checked) >= 50  # the caller can stop a long listing (a writer's cancel)


def test_a_split_folder_gone_since_its_listing_began_is_all_gone(tmp_path: Path) -> None:
    rel_dir = "p/models/m/trajectories/val"
    recorded = [(f"{rel_dir}/0002.parquet", 1, 1), (f"{rel_dir}/0001.parquet", 1, 1)]
    found, gone = ingest._sync_split(
        tmp_path / rel_dir, rel_dir, "p", "m", "val", recorded, False, lambda: None
    )
    assert found == []
    assert gone == [f"{rel_dir}/0001.parquet", f"{rel_dir}/0002.parquet"]
    assert not os.path.exists(tmp_path / rel_dir)


def test_a_split_folder_swapped_for_a_link_since_its_walk_is_not_followed(tmp_path: Path) -> None:
    """Between the walk's lstat and the listing, a folder replaced by a link to another folder
    lists nothing: its recorded files are gone, none of the link's target is found."""
    rel_dir = "p/models/m/trajectories/train"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _write(elsewhere / "0001.parquet", b"secret")
    split = tmp_path / rel_dir
    split.parent.mkdir(parents=True)
    split.symlink_to(elsewhere, target_is_directory=True)
    recorded = [(f"{rel_dir}/0000.parquet", 1, 1)]
    found, gone = ingest._sync_split(split, rel_dir, "p", "m", "train", recorded, False, lambda: None)
    assert found == []
    assert gone == [f"{rel_dir}/0000.parquet"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_killed_writers_temp_file_is_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    rel_dir = "p/models/m/trajectories/train"
    split = tmp_path / rel_dir
    split.mkdir(parents=True)
    dead = split / f".0003.parquet.{_dead_pid()}.0a1b2c3d.tmp"
    live = split / f".0004.parquet.{os.getpid()}.0a1b2c3d.tmp"
    _write(dead, b"torn")
    _write(live, b"being written")
    found, gone = ingest._sync_split(split, rel_dir, "p", "m", "train", [], True, lambda: None)
    assert (found, gone) == ([], [])
    assert not dead.exists() and live.exists()
