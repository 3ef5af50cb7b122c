"""Attacks on the sandbox's whole-`trajectories` allowance and its (dev, inode,
ctime) memory: real files, real DuckDB, folders remembered at once (settle time forced to 0)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

import art
from art.errors import OutsideStoreError
from art.store import ingest, local_views, paths

from .test_read_path import small_store


@pytest.fixture
def remember_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))
    monkeypatch.setattr(local_views, "_dirs_seen", {})
    monkeypatch.setattr(local_views, "_only_files_seen", {})
    monkeypatch.setattr(ingest, "_splits_seen", {})


def refused(con: duckdb.DuckDBPyConnection, sql: str, p: str) -> None:
    with pytest.raises(duckdb.PermissionException):
        con.execute(sql, {"p": p}).fetchall()


def tick() -> None:
    time.sleep(0.03)  # past the file system's clock tick: the next change gets a new ctime


@pytest.mark.parametrize(
    "how", ["link", "fifo", "hidden_dir_with_link", "nested_link", "split_replaced_by_link"]
)
async def test_a_change_after_a_remembered_open_is_seen(tmp_path: Path, remember_all: None, how: str) -> None:
    base = await small_store(tmp_path / "s", models=("a",))
    traj = base / "p/models/a/trajectories"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep/secret.txt").write_text("secret")
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (6,)
    assert con.execute("SELECT count(*) FROM glob($p)", {"p": f"{traj}/*/*"}).fetchone() == (3,)  # whole
    assert str(traj) in local_views._dirs_seen
    con.close()
    tick()
    if how == "link":
        (traj / "evil").symlink_to(outside)
    elif how == "fifo":
        os.mkfifo(traj / "pipe")
    elif how == "hidden_dir_with_link":
        (traj / ".h").mkdir()
        (traj / ".h/evil").symlink_to(outside)
    elif how == "nested_link":
        (traj / "val/evil").symlink_to(outside)
    else:  # the split folder moved out, a link to it put in its place
        shutil.move(traj / "val", outside / "val")
        (traj / "val").symlink_to(outside / "val")
    con = art.connect(base)
    for pattern in (f"{traj}/*", f"{traj}/*/*", f"{traj}/**", f"{traj}/*/*/*"):
        refused(con, "SELECT * FROM glob($p)", pattern)
    for path in (
        outside / "deep/secret.txt",
        traj / "evil/deep/secret.txt",
        traj / ".h/evil/deep/secret.txt",
    ):
        refused(con, "SELECT * FROM read_blob($p)", str(path))
    expected = 0 if how == "split_replaced_by_link" else 6
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (expected,)


async def test_a_trajectories_folder_that_is_a_link_is_never_allowed_whole(
    tmp_path: Path, remember_all: None
) -> None:
    base = await small_store(tmp_path / "s", models=("a", "b"))
    moved = tmp_path / "outside/b-trajectories"
    moved.parent.mkdir()
    shutil.move(base / "p/models/b/trajectories", moved)
    (base / "p/models/b/trajectories").symlink_to(moved)
    (moved / "secret.txt").write_text("secret")
    for _ in range(2):  # again, from memory
        con = art.connect(base)
        assert con.execute("SELECT DISTINCT model FROM trajectories").fetchall() == [("a",)]
        refused(con, "SELECT * FROM glob($p)", f"{base}/p/models/b/trajectories/*")
        refused(con, "SELECT * FROM read_blob($p)", str(moved / "secret.txt"))
        con.close()


async def test_a_writer_does_not_follow_a_trajectories_link_out_of_the_store(tmp_path: Path) -> None:
    """A writer's catch-up lists a `trajectories` that is a link (os.scandir follows it) and
    records the files outside as the model's (pre-existing; _split_dirs keeps it)."""
    from art.store.catalog import Catalog

    base = await small_store(tmp_path / "s", models=("a", "b"))
    moved = tmp_path / "outside/b-trajectories"
    moved.parent.mkdir()
    shutil.move(base / "p/models/b/trajectories", moved)
    (base / "p/models/b/trajectories").symlink_to(moved)
    Catalog(base).sync()
    con = duckdb.connect(str(base / "catalog.duckdb"), read_only=True)
    models = con.execute("SELECT DISTINCT model FROM trajectory_files ORDER BY ALL").fetchall()
    assert models == [("a",)]


@pytest.mark.parametrize("swap", ["trajectories", "split", "file"])
async def test_a_folder_swapped_for_a_link_before_the_lock_down_opens_nothing_beyond(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remember_all: None, swap: str
) -> None:
    """DuckDB resolves an allowed folder's links when it is set: a store's folder swapped for a
    link between the checks and the lock-down (someone else writing the store wins the race; here
    it is made to win) would allow the link's target whole, say the reader's home folder."""
    base = await small_store(tmp_path / "s", models=("a",))
    traj = base / "p/models/a/trajectories"
    home = tmp_path / "home"  # the reader's: not the store's
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh/id_ed25519").write_text("secret")
    if swap == "split":  # a link beside the splits: one allowed folder per split
        (traj / "evil").symlink_to(home)
    if swap == "file":  # a link in the split folder: its files allowed one by one
        (traj / "val/evil").symlink_to(home)
    art.connect(base).close()  # remembered
    original = local_views.lock_down

    def swapped(con: duckdb.DuckDBPyConnection, *args: object) -> None:
        victim = {"trajectories": traj, "split": traj / "val", "file": traj / "val/0001.parquet"}[swap]
        victim.rename(victim.with_name(victim.name + ".moved"))
        target = {"trajectories": home, "split": home / ".ssh", "file": home / ".ssh/id_ed25519"}[swap]
        victim.symlink_to(target)
        original(con, *args)

    monkeypatch.setattr(local_views, "lock_down", swapped)
    with pytest.raises(OutsideStoreError, match="became a link"):
        con = art.connect(base)
        # without the check the swapped folder's target was allowed whole: the reader's key
        assert con.execute(
            "SELECT content FROM read_text($p)", {"p": str(home / ".ssh/id_ed25519")}
        ).fetchall()


@pytest.mark.parametrize("folders", [["/nowhere\0/"], ["/nowhere/", "\0/"]], ids=["inside", "its own"])
def test_a_folder_name_holding_nul_is_refused_not_split(folders: list[str]) -> None:
    """The sandbox hands DuckDB its folders as one NUL-separated text: a name holding a NUL
    would be cut into two folders there, `/` among them (every file). No path of the file
    system holds one; the sandbox refuses such a name rather than trust every caller."""
    from art.store.sandbox import close_doors

    con = duckdb.connect()
    with pytest.raises(OutsideStoreError, match="NUL"):
        close_doors(con, folders)
    # nothing was allowed: the connection (closed by its caller) is not confined to `/`
    assert con.execute("SELECT current_setting('allowed_directories')").fetchone()[0] == []
