"""A reader reads the catalog from a private snapshot (issue 17): it sees what the files hold
beyond it, keeps writers out only while it copies the file, waits for a writer that has the
file open, and leaves nothing behind when killed."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import art
from art import Model, TrajectoryGroup
from art.errors import CatalogBusyError
from art.store import catalog_snapshot, ingest, paths
from art.store.catalog import Catalog
from art.store.catalog_file import create_schema
from art.store.catalog_snapshot import attach_snapshot

from .conftest import traj
from .test_read_path import kill_readers, step_from_elsewhere, tree

QUERIES = (
    "SELECT * FROM runs ORDER BY ALL",
    "SELECT * FROM models ORDER BY ALL",
    "SELECT * FROM history ORDER BY ALL",
    "SELECT * FROM history_by_step ORDER BY ALL",
    "SELECT * EXCLUDE (mtime_ns) FROM trajectory_files ORDER BY ALL",
    "SELECT project, model, split, step, group_index, reward FROM trajectories ORDER BY ALL",
    "SELECT model, step, reward FROM trajectories_of('p', 'a') ORDER BY ALL",
)


async def catalogued_store(base: Path, models: tuple[str, ...]) -> Path:
    for name in models:
        m = Model(name=name, project="p", base_path=str(base), report_metrics=[])
        for step in range(3):
            groups = [TrajectoryGroup([traj(step / 4), traj(0.5)])]
            await m.log(groups, split="val", step=step)
            await m.log(groups, split="train", step=step, metrics={"loss": 1.0 - step / 10})
        m.store.flush()
    old = time.time() - 3600  # folders written a while ago: the catalog trusts their mtimes
    for split in base.glob("p/models/*/trajectories/*"):
        os.utime(split, (old, old))
    Catalog(base).sync()
    (base / "catalog.lock").unlink(missing_ok=True)
    return base


async def just_written(base: Path) -> Path:
    """Three val steps of p/a, as a writer leaves them: its catalog caught up right after
    the last step, so it holds the val folder as not yet settled."""
    m = Model(name="a", project="p", base_path=str(base), report_metrics=[])
    for step in range(3):
        await m.log([TrajectoryGroup([traj(step / 4), traj(0.5)])], split="val", step=step)
    m.store.flush()
    (base / "catalog.lock").unlink(missing_ok=True)
    return base


def answers(base: Path) -> dict[str, list[tuple]]:
    con = art.connect(base)
    try:
        return {q: con.execute(q).fetchall() for q in QUERIES}
    finally:
        con.close()


def files_only_copy(base: Path, to: Path) -> Path:
    """The same store without its catalog: what reading the files alone answers."""
    shutil.copytree(base, to, symlinks=True, ignore=shutil.ignore_patterns("catalog.*"))
    return to


async def test_a_reader_sees_what_the_files_hold_beyond_its_catalog(tmp_path: Path) -> None:
    """Steps, models and rewrites the catalog has not seen are read from the files; the other
    models' rows come from the catalog, and nothing is written into the store."""
    base = await catalogued_store(tmp_path / "s", ("a", "b", "c", "d"))
    models = base / "p/models"
    # a trainer in another process logs step 3 of `a`; the catalog lags
    step_from_elsewhere(models / "a")
    shutil.rmtree(models / "b")  # deleted
    first = (models / "c/history.jsonl").read_text().splitlines()[0]
    (models / "c/history.jsonl").write_text(first + "\n")  # rewritten shorter
    (models / "c/trajectories/train/0001.parquet").unlink()
    shutil.copytree(models / "d", models / "e")  # a new model; d is unchanged
    before = tree(base)

    got = answers(base)

    assert got == answers(files_only_copy(base, tmp_path / "truth"))
    assert tree(base) == before
    steps = dict(art.connect(base).execute("SELECT model, last_step FROM runs").fetchall())
    assert steps == {"a": 3, "c": 0, "d": 2, "e": 2}
    # only what changed is copied into memory: d's rows, a's history (appended), the models
    # rows of a, c and d are read in place
    con = art.connect(base)
    assert con.execute(
        "SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1"
    ).fetchall() == [
        ("art_catalog",),
        ("memory",),
    ]
    taken = con.execute("SELECT model, rows FROM taken_models ORDER BY ALL").fetchall()
    assert taken == [
        ("a", "files"),
        ("b", "files"),
        ("b", "history"),
        ("b", "models"),  # forgotten: its row in the catalog is hidden
        ("c", "files"),
        ("c", "history"),
        ("e", "files"),
        ("e", "models"),  # new: its row is made in memory
    ]


async def test_an_unchanged_store_reads_the_same_as_its_files(tmp_path: Path) -> None:
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM taken_models").fetchone() == (0,)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


async def test_a_store_its_writer_just_left_is_read_in_place(tmp_path: Path) -> None:
    """The folders a writer touched in its last seconds are recorded as not settled (their
    mtimes too recent to trust), so every reader lists them again: finding them as recorded
    must not copy the model's rows into memory (which made every later open O(files)), and
    finding a change must still show it."""
    base = await just_written(tmp_path / "s")
    with duckdb.connect(str(base / "catalog.duckdb"), read_only=True) as cat:
        unsettled = cat.execute("SELECT count(*) FROM sources WHERE kind = 'dir' AND mtime_ns = 0").fetchone()
    assert unsettled == (1,)  # the val folder: the case under test
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM taken_models").fetchone() == (0,)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))
    step_from_elsewhere(base / "p/models/a")  # a step the catalog has not seen, in that folder
    (base / "p/models/a/trajectories/val/0000.parquet").unlink()  # and one gone
    con = art.connect(base)
    assert con.execute("SELECT rows FROM taken_models").fetchall() == [("files",)]
    assert con.execute("SELECT step FROM trajectory_files ORDER BY step").fetchall() == [(1,), (2,), (3,)]
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth2"))


async def test_a_folder_found_as_recorded_is_listed_once_per_catalog_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once its mtime has settled, a folder the catalog holds as not settled is listed by one
    open of a process and remembered with that catalog copy; a file landing in it later
    changes its mtime, and the next open lists it again."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))  # keep every copy
    base = await just_written(tmp_path / "s")
    val = base / "p/models/a/trajectories/val"
    old = time.time() - 3600
    os.utime(val, (old, old))  # settled now, while the catalog recorded it as not yet
    listings: list[str] = []
    real = ingest._sync_split
    monkeypatch.setattr(ingest, "_sync_split", lambda d, *a: listings.append(d.name) or real(d, *a))
    for _ in range(3):
        assert art.connect(base).execute("SELECT count(*) FROM trajectory_files").fetchone() == (3,)
    assert listings == ["val"]
    step_from_elsewhere(base / "p/models/a")
    assert art.connect(base).execute("SELECT max(step) FROM trajectory_files").fetchone() == (3,)
    assert listings == ["val", "val"]


def _in_child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_the_readers_lock_keeps_a_duckdb_writer_out_while_held(tmp_path: Path) -> None:
    """The shared POSIX lock a reader holds while it copies the file is the one DuckDB takes:
    a read-write open in another process fails (Catalog retries it) until it is let go."""
    base = await catalogued_store(tmp_path / "s", ("a",))
    path = base / "catalog.duckdb"
    writer = """
        import sys, duckdb
        for line in sys.stdin:
            try:
                duckdb.connect(sys.argv[1]).close()
                print("opened", flush=True)
            except duckdb.Error as e:
                print("refused" if "Conflicting lock" in str(e) else repr(e), flush=True)
        """
    child = _in_child(writer, str(path))
    assert child.stdin is not None and child.stdout is not None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # as catalog_snapshot takes it
        child.stdin.write("try\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "refused"
    finally:
        os.close(fd)
    child.stdin.write("try\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "opened"
    child.stdin.close()
    assert child.wait(10) == 0


async def test_a_reader_waits_for_a_writer_that_holds_the_catalog_open(tmp_path: Path) -> None:
    base = await catalogued_store(tmp_path / "s", ("a",))
    path = base / "catalog.duckdb"
    holder = """
        import sys, time, duckdb
        con = duckdb.connect(sys.argv[1])
        print("open", flush=True)
        time.sleep(float(sys.argv[2]))
        con.close()
        """
    child = _in_child(holder, str(path), "60")
    assert child.stdout is not None and child.stdout.readline().strip() == "open"
    try:
        con = duckdb.connect(":memory:")
        create_schema(con)
        with pytest.raises(CatalogBusyError, match="stayed open by a writer"):
            attach_snapshot(con, path, timeout=0.1)
    finally:
        child.kill()
        child.wait(10)

    child = _in_child(holder, str(path), "0.4")
    assert child.stdout is not None and child.stdout.readline().strip() == "open"
    t0 = time.monotonic()
    con = art.connect(base)  # waits for the writer to close, then reads its file
    assert time.monotonic() - t0 > 0.2
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (6,)
    assert child.wait(10) == 0


async def test_killed_readers_leave_the_store_and_temp_folder_as_they_were(tmp_path: Path) -> None:
    """Killed anywhere in a connect whose catch-up has work to do (the snapshot lives in an
    anonymous memory file), a reader leaves no file behind in the store or the temp folder."""
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    split = base / "p/models/a/trajectories/val"
    shutil.copyfile(split / "0002.parquet", split / "0003.parquet")  # not in the catalog
    before = tree(base)
    tmp = tmp_path / "tmp"
    kill_readers(base, tmp, (0.05, 0.13, 0.21, 0.34, 0.55))
    assert list(tmp.iterdir()) == []
    assert tree(base) == before


async def test_a_catalog_with_a_wal_is_read_through_duckdb(tmp_path: Path) -> None:
    """A writer that died before its checkpoint leaves a WAL; only DuckDB's own open replays
    it, so the reader copies the rows that way (and the WAL stays as it was)."""
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    crash = """
        import os, sys, duckdb
        con = duckdb.connect(sys.argv[1])
        con.execute("SET checkpoint_threshold = '1GB'")
        con.execute("DELETE FROM history WHERE model = 'b' AND step = 2")
        os._exit(0)
        """
    child = _in_child(crash, str(base / "catalog.duckdb"))
    assert child.wait(10) == 0
    wal = base / "catalog.duckdb.wal"
    assert wal.exists()
    before = tree(base)
    con = art.connect(base)
    assert con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'art_catalog'"
    ).fetchone() == (0,)
    # the WAL's change is the catalog's: b's step 2 rows are gone from what the catalog says
    assert con.execute("SELECT max(step) FROM history WHERE model = 'b'").fetchone() == (1,)
    assert tree(base) == before


async def test_a_catalog_rewritten_since_the_last_open_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process keeps its copy of an unchanged catalog; one a writer changed since (another
    size, mtime or ctime) is copied again, so the next open reads the writer's rows."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))  # keep every copy
    base = await catalogued_store(tmp_path / "s", ("a",))
    assert art.connect(base).execute("SELECT max(step) FROM trajectory_files").fetchone() == (2,)
    split = base / "p/models/a/trajectories/val"
    shutil.copyfile(split / "0002.parquet", split / "0003.parquet")
    old = time.time() - 3600
    os.utime(split, (old, old))  # settled: the writer records the folder as listed
    Catalog(base).sync()  # the writer records step 3
    con = art.connect(base)
    assert con.execute("SELECT max(step) FROM trajectory_files WHERE split = 'val'").fetchone() == (3,)
    # from the new copy of the catalog, not from this reader's own catch-up
    assert con.execute("SELECT count(*) FROM taken_models").fetchone() == (0,)


async def test_a_link_added_to_a_split_folder_since_the_last_open_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder seen holding only files is remembered by its inode and ctime; a link put in
    it afterwards changes its ctime, so the next open allows that folder file by file."""
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))  # remember every folder
    base = await catalogued_store(tmp_path / "s", ("a",))
    val = base / "p/models/a/trajectories/val"
    assert art.connect(base).execute("SELECT count(*) FROM glob($p)", {"p": f"{val}/*"}).fetchone() == (3,)
    (val / "d").symlink_to("/etc")
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectories WHERE split = 'val'").fetchone() == (6,)
    for pattern in (f"{val}/d/*", f"{val}/*"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM glob($p)", {"p": pattern}).fetchall()


async def test_a_split_folder_added_or_removed_since_the_last_open_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model's trajectories folder is remembered with its split folders' names by inode and
    ctime; adding or removing a split folder changes its ctime, so the next open lists it."""
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))  # remember every folder
    base = await catalogued_store(tmp_path / "s", ("a",))
    splits = "SELECT split, count(*) FROM trajectories GROUP BY split ORDER BY split"
    assert art.connect(base).execute(splits).fetchall() == [("train", 6), ("val", 6)]
    trajectories = base / "p/models/a/trajectories"
    (trajectories / "eval").mkdir()
    shutil.copyfile(trajectories / "val/0001.parquet", trajectories / "eval/0001.parquet")
    assert art.connect(base).execute(splits).fetchall() == [("eval", 2), ("train", 6), ("val", 6)]
    shutil.rmtree(trajectories / "eval")
    assert art.connect(base).execute(splits).fetchall() == [("train", 6), ("val", 6)]


def test_a_cache_of_folders_seen_unchanged_starts_over_past_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-process caches of folders seen unchanged stay bounded in a long-lived process
    (the dashboard) where folders come and go: past their size they start over."""

    monkeypatch.setattr(paths, "FOLDERS_REMEMBERED", 3)
    cache: dict[str, int] = {}
    for i, folder in enumerate("abc"):
        paths.remember(cache, folder, i)
    paths.remember(cache, "b", 9)  # one already there is replaced, nothing dropped
    assert cache == {"a": 0, "b": 9, "c": 2}
    paths.remember(cache, "d", 3)
    assert cache == {"d": 3}


async def test_a_kept_file_index_serves_only_an_unchanged_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over an unchanged catalog copy, an open reuses the previous open's file list and split
    folders (checked again); a file added since, or a link planted in a split folder, is seen
    as on a first open."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))  # keep every copy
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))  # remember every folder
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    count = "SELECT count(*) FROM trajectories WHERE model = 'a' AND split = 'val'"
    for _ in range(2):  # the second open runs from the kept index
        assert art.connect(base).execute(count).fetchone() == (6,)
    val = base / "p/models/a/trajectories/val"
    shutil.copyfile(val / "0002.parquet", val / "0007.parquet")  # the catalog does not know it
    assert art.connect(base).execute(count).fetchone() == (8,)
    (val / "0007.parquet").unlink()
    assert art.connect(base).execute(count).fetchone() == (6,)
    assert art.connect(base).execute(count).fetchone() == (6,)
    (val / "d").symlink_to("/etc")
    con = art.connect(base)
    assert con.execute(count).fetchone() == (6,)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM glob($p)", {"p": f"{val}/d/*"}).fetchall()


def test_a_damaged_catalog_gives_the_files_answers_never_wrong_rows(tmp_path: Path) -> None:
    """Every block of the catalog is read, and its rows checked against the tables' NOT NULL
    and key constraints, when its copy is new: wherever 16 bytes are flipped, a reader either
    sets the catalog aside (a warning says so) or finds nothing wrong, and every answer is the
    one the files alone give; nothing fails in a query later (the damage of one block left
    project NULL in 128 history rows: DuckDB's checksums do not catch that)."""
    base = tmp_path / "s"
    for model in ("a", "b"):
        folder = base / "p" / "models" / model
        folder.mkdir(parents=True)
        lines = (
            json.dumps({**{f"val/m{k}": step / 1000 + k for k in range(8)}, "step": step})
            for step in range(6000)
        )
        (folder / "history.jsonl").write_text("\n".join(lines) + "\n")
    Catalog(base).sync()
    expected = answers(files_only_copy(base, tmp_path / "files"))
    size = (base / "catalog.duckdb").stat().st_size
    warned = 0
    for offset in range(12288 + 64, size, 262144):
        damaged = tmp_path / f"d{offset}"
        shutil.copytree(base, damaged)
        with open(damaged / "catalog.duckdb", "r+b") as f:
            f.seek(offset)
            chunk = f.read(16)
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in chunk))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert answers(damaged) == expected, offset
        warned += any("is not used" in str(w.message) for w in caught)
    assert warned > 0


def test_two_spellings_of_a_store_share_one_catalog_lock(tmp_path: Path) -> None:
    """A writer and a reader of one process that name the store differently (a link) take
    turns on one lock: POSIX locks are per process, so a reader's close must never drop the
    lock a writer holds through the other name."""
    from art.store.catalog import catalog_for

    real = tmp_path / "store"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    spellings = (real, tmp_path / "link", tmp_path / "link" / ".." / "store")
    assert len({id(catalog_for(p)) for p in spellings}) == 1


def test_a_link_pointed_at_another_store_gets_that_stores_catalog(tmp_path: Path) -> None:
    """catalog_for remembers each spelling with its folder's identity: a link pointed elsewhere
    (or a store folder made anew) is resolved again, never handed the old store's Catalog."""
    from art.store.catalog import catalog_for

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    link = tmp_path / "link"
    link.symlink_to(first)
    assert catalog_for(link) is catalog_for(first)
    link.unlink()
    link.symlink_to(second)
    assert catalog_for(link) is catalog_for(second) is not catalog_for(first)


def test_a_huge_or_sparse_catalog_is_not_copied_into_memory(tmp_path: Path) -> None:
    """A catalog file far larger than its data (sparse: a crafted or odd file) is read through
    DuckDB's own open, not copied whole into memory and kept."""
    base = tmp_path / "s"
    asyncio.run(catalogued_store(base, ("a",)))
    expected = answers(files_only_copy(base, tmp_path / "files"))
    os.truncate(base / "catalog.duckdb", 1 << 30)  # 1 GiB, nearly all of it a hole
    assert answers(base) == expected
    assert (base / "catalog.duckdb").absolute() not in catalog_snapshot._copies


def test_a_catalog_with_a_generated_column_is_never_read(tmp_path: Path) -> None:
    """A generated column's expression runs on every read of its table: a catalog holding one
    (a file we did not write) is not used, and the answers are the files'."""
    from art.store.catalog_file import CatalogDamagedWarning

    base = tmp_path / "s"
    asyncio.run(catalogued_store(base, ("a",)))
    expected = answers(files_only_copy(base, tmp_path / "files"))
    con = duckdb.connect(str(base / "catalog.duckdb"))
    con.execute("DROP TABLE history")
    con.execute(
        "CREATE TABLE history (project VARCHAR NOT NULL, model VARCHAR NOT NULL, split VARCHAR NOT NULL, "
        "step BIGINT NOT NULL, training_step BIGINT, recorded_at TIMESTAMP, seq BIGINT NOT NULL, "
        "metric VARCHAR NOT NULL, value DOUBLE AS (666.0))"
    )
    con.close()
    with pytest.warns(CatalogDamagedWarning, match="table history: CREATE TABLE history"):
        assert answers(base) == expected


def test_a_catalog_with_a_collation_is_never_read(tmp_path: Path) -> None:
    """A collation changes how a column compares (runs `a` and `A` would be one name to the
    reader's folder checks): a catalog whose table carries one is not used."""
    from art.store.catalog_file import CatalogDamagedWarning

    base = tmp_path / "s"
    asyncio.run(catalogued_store(base, ("a", "A")))
    expected = answers(files_only_copy(base, tmp_path / "files"))
    con = duckdb.connect(str(base / "catalog.duckdb"))
    con.execute("CREATE TABLE kept AS SELECT * FROM trajectory_files")
    con.execute("DROP TABLE trajectory_files")
    con.execute(
        "CREATE TABLE trajectory_files (path VARCHAR PRIMARY KEY, project VARCHAR NOT NULL, "
        "model VARCHAR COLLATE nocase NOT NULL, split VARCHAR NOT NULL, step BIGINT NOT NULL, "
        "rows BIGINT, groups BIGINT, trajectories BIGINT, exceptions BIGINT, bytes BIGINT NOT NULL, "
        "mtime_ns BIGINT NOT NULL, format_version INTEGER, error VARCHAR)"
    )
    con.execute("INSERT INTO trajectory_files SELECT * FROM kept")
    con.execute("DROP TABLE kept")
    con.close()
    with pytest.warns(CatalogDamagedWarning, match="COLLATE"):
        assert answers(base) == expected


def test_an_empty_catalog_file_is_said_to_lack_its_tables(tmp_path: Path) -> None:
    """A writer killed between creating the catalog file and its tables leaves an empty
    DuckDB file: a reader reads the files and says the catalog lacks its tables (it said the
    file held objects this library did not create, naming the very tables it lacked)."""
    from art.store.catalog_file import CatalogDamagedWarning

    base = tmp_path / "s"
    asyncio.run(catalogued_store(base, ("a",)))
    expected = answers(files_only_copy(base, tmp_path / "files"))
    (base / "catalog.duckdb").unlink()
    duckdb.connect(str(base / "catalog.duckdb")).close()
    with pytest.warns(CatalogDamagedWarning, match="lacks tables this library creates") as told:
        assert answers(base) == expected
    assert "did not create" not in str(told[0].message)


async def test_a_file_rewritten_in_place_in_a_folder_found_as_recorded_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpipe-art writes a step logged again over its old file (same inode: the folder's
    mtime stays), then appends its history line: a folder remembered as found as recorded
    must not hide the new rows from the next open in the same process."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))  # keep every copy
    base = await just_written(tmp_path / "s")
    model = base / "p/models/a"
    val = model / "trajectories/val"
    old = time.time() - 3600
    os.utime(val, (old, old))
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))  # remembered now
    listings: list[str] = []
    real = ingest._sync_split
    monkeypatch.setattr(ingest, "_sync_split", lambda d, *a: listings.append(str(d)) or real(d, *a))
    before = os.stat(val)
    bigger = TrajectoryGroup([traj(0.9), traj(0.8), traj(0.7)])
    other = Model(name="a", project="p", base_path=str(tmp_path / "elsewhere"), report_metrics=[])
    await other.log([bigger], split="val", step=1)
    with (val / "0001.parquet").open("r+b") as f:  # in place: same inode, no folder change
        f.truncate(0)
        f.write((tmp_path / "elsewhere/p/models/a/trajectories/val/0001.parquet").read_bytes())
    line = json.loads((model / "history.jsonl").read_text().splitlines()[-1])
    line.update({"step": 1, "val/reward": 0.8})
    with (model / "history.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    after = os.stat(val)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectories WHERE step = 1").fetchone() == (3,)
    assert listings == []  # the remembered folder was not listed: the history line told
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth2"))


async def test_a_history_line_for_a_step_whose_file_is_as_recorded_takes_nothing(tmp_path: Path) -> None:
    """New history lines make the catch-up look again at the files of the steps they name (a
    step openpipe-art logged again over its old file); a file found as recorded is read in the
    snapshot, and the model's rows stay there."""
    base = await catalogued_store(tmp_path / "s", ("a",))
    model = base / "p/models/a"
    line = json.loads((model / "history.jsonl").read_text().splitlines()[-1])
    line.update({"step": 2, "val/reward": 0.75})
    with (model / "history.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM taken_models").fetchone() == (0,)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


def _new_folders(parent: Path, prefix: str, count: int) -> Iterator[Path]:
    """Up to `count` new folders in `parent`, made one at a time as the caller asks."""
    for i in range(count):
        folder = parent / f"{prefix}{i}"
        folder.mkdir()
        yield folder


def test_a_link_pointed_at_a_store_made_in_a_deleted_ones_inode_shares_its_catalog(tmp_path: Path) -> None:
    """A deleted folder's inode is soon reused (ext4, tmpfs): a link to the old store, pointed at
    a new store that got that inode, must get the new store's Catalog (one in-process lock)."""
    from art.store.catalog import catalog_for

    link = tmp_path / "link"
    for attempt in range(5):  # another process may take the freed inode first (a loaded CI)
        first = tmp_path / f"first{attempt}"
        first.mkdir()
        inode = first.stat().st_ino
        link.unlink(missing_ok=True)
        link.symlink_to(first)
        catalog_for(link)
        first.rmdir()
        folder = next(
            (f for f in _new_folders(tmp_path, f"new{attempt}-", 64) if f.stat().st_ino == inode), None
        )
        if folder is not None:
            break
    else:
        pytest.fail("no folder got the deleted one's inode in 5 tries")
    link.unlink()
    link.symlink_to(folder)
    assert catalog_for(link) is catalog_for(folder)


def test_a_link_to_a_renamed_store_shares_the_catalog_of_its_new_name(tmp_path: Path) -> None:
    from art.store.catalog import catalog_for

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    link = tmp_path / "link"
    link.symlink_to(old)
    catalog_for(link)
    old.rename(new)
    link.unlink()
    link.symlink_to(new)
    assert catalog_for(link) is catalog_for(new)


def test_the_spellings_a_process_remembers_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process handed a store by ever new spellings (links, `..`) does not grow
    without end; a spelling forgotten is resolved again to the same Catalog."""
    from art.store import catalog

    monkeypatch.setattr(paths, "FOLDERS_REMEMBERED", 8)
    monkeypatch.setattr(catalog, "_by_spelling", {})
    store = tmp_path / "store"
    store.mkdir()
    first = catalog.catalog_for(store)
    for i in range(20):
        link = tmp_path / f"link{i}"
        link.symlink_to(store)
        assert catalog.catalog_for(link) is first
        assert len(catalog._by_spelling) <= 8
    assert catalog.catalog_for(store) is first


async def test_a_child_forked_while_a_thread_holds_the_copies_lock_opens_the_store(tmp_path: Path) -> None:
    """The kept catalog copies are guarded by a process-wide lock; a child forked while
    another thread held it would wait for it on every open, for good."""
    import threading

    from .forking import in_forked_child

    m = Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[])
    await m.log([TrajectoryGroup([traj(0.5)])], split="val", step=0)
    m.store.flush()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with catalog_snapshot._copies_lock:
            holding.set()
            release.wait(30)

    busy = threading.Thread(target=hold)
    busy.start()
    try:
        assert holding.wait(10)
        code = in_forked_child(
            lambda: art.connect(tmp_path).execute("SELECT count(*) FROM trajectories").fetchone()[0] == 1
        )
    finally:
        release.set()
        busy.join()
    assert code == 0, "the forked child's art.connect() hung on the parent's lock"
