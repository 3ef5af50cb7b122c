"""Reading a store writes nothing, runs nothing from the catalog file, and lets user SQL touch
no file but the store's own (issue 13, items 4, 6, 8, 9, 10, 11; issue 15's missing path)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import art
from art import Model, TrajectoryGroup, analysis
from art.checkpoints import best_steps
from art.cli import app
from art.errors import ReadOnlyQueryError, StoreNotFoundError, UnreadableStorePathError
from art.store.catalog import Catalog, CatalogRebuiltWarning, catalog_for
from art.store.catalog_file import CatalogDamagedWarning

from .conftest import traj

runner = CliRunner()


async def small_store(base: Path, models: tuple[str, ...] = ("a",)) -> Path:
    for name in models:
        m = Model(name=name, project="p", base_path=str(base), report_metrics=[])
        for step in range(3):
            await m.log([TrajectoryGroup([traj(step / 4), traj(0.5)])], split="val", step=step)
        m.store.flush()
    return base


def tree(base: Path) -> dict[str, tuple[int, int]]:
    """Every path under base with its size and mtime (what a write would change)."""
    out = {}
    for root, dirs, files in os.walk(base):
        for name in dirs + files:
            p = Path(root, name)
            st = p.lstat()
            out[str(p.relative_to(base))] = (st.st_size, st.st_mtime_ns)
    return out


def step_from_elsewhere(model_dir: Path) -> None:
    """Step 3 of a model, as a trainer in another process writes it: a val file (a copy of
    step 2's) and a history line, the catalog not told."""
    shutil.copyfile(model_dir / "trajectories/val/0002.parquet", model_dir / "trajectories/val/0003.parquet")
    line = json.loads((model_dir / "history.jsonl").read_text().splitlines()[-1])
    line.update({"step": 3, "val/reward": 1.0})
    with (model_dir / "history.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")


async def test_reading_writes_nothing_into_the_store(tmp_path: Path) -> None:
    """#13.4: a reader needs no write (a full disk made connect fail on catalog.duckdb.wal)."""
    base = await small_store(tmp_path / "s")
    # step 3 arrives as a trainer in another process writes it, and the catalog lags (no
    # writer in this process, so no background catch-up can write during the reads)
    step_from_elsewhere(base / "p/models/a")
    (base / "catalog.lock").unlink(missing_ok=True)
    before = tree(base)
    con = art.connect(base)
    assert con.execute("SELECT max(step) FROM trajectories").fetchone() == (3,)
    runs = analysis.runs(base)
    assert runs.rows[0][runs.columns.index("last_step")] == 3
    assert best_steps(base, "p", "a", "val/reward")[0].step == 3
    assert tree(base) == before


def _make_read_only(top: Path) -> list[Path]:
    """No process may write under `top`: mode bits, and for root (which ignores them) the
    immutable attribute, as on a read-only mount. Returns what to make mutable again."""
    paths = [top] + [Path(r, n) for r, ds, fs in os.walk(top) for n in ds + fs]
    for p in paths:
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
        return paths
    return []


async def test_a_read_only_store_can_be_read(tmp_path: Path) -> None:
    """#13.11: a user who cannot write the store reads all of it (it failed on catalog.lock)."""
    top = Path(tempfile.mkdtemp(prefix="art-ro-"))
    immutable: list[Path] = []
    try:
        base = await small_store(top / "s", ("a", "b"))
        m = Model(name="a", project="p", base_path=str(base), report_metrics=[])
        await m.log([TrajectoryGroup([traj(1.0)])], split="val", step=3)  # not in the catalog yet
        # ... nor ever from this process: its catch-up would wait for the lock on the read-only
        # tree and take it, writing catalog.lock.holder, while the cleanup below removes it
        catalog_for(base).catch_up.close(grace=0)
        immutable = _make_read_only(top)
        code = textwrap.dedent(
            """
            import json, sys, art
            from art import analysis
            from art.checkpoints import best_steps
            base = sys.argv[1]
            con = art.connect(base)
            out = {
                "steps": con.execute(
                    "SELECT count(DISTINCT step) FROM trajectories WHERE model = 'a'"
                ).fetchone()[0],
                "runs": len(analysis.runs(base).rows),
                "best": best_steps(base, "p", "a", "val/reward")[0].step,
                "sql": analysis.sql(
                    base, "SELECT count(*) FROM history WHERE metric = 'val/reward'"
                ).rows[0][0],
            }
            print(json.dumps(out))
            """
        )
        env = {**os.environ, "TMPDIR": str(top)}
        out = subprocess.run(
            [sys.executable, "-c", code, str(base)],
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
        )
        assert out.returncode == 0, out.stderr
        lines = out.stdout.strip().splitlines()  # (it failed once to parse: show what came out)
        assert lines, f"no output; stderr: {out.stderr}"
        assert json.loads(lines[-1]) == {"steps": 4, "runs": 2, "best": 3, "sql": 7}, out.stdout + out.stderr
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, immutable)], check=True)
        subprocess.run(["chmod", "-R", "u+w", str(top)], check=True)
        subprocess.run(["rm", "-rf", str(top)], check=True)


async def test_killed_readers_leave_nothing_in_the_temp_folder(tmp_path: Path) -> None:
    """#13.6: no snapshot copies of the catalog at all (killed readers left them behind)."""
    base = await small_store(tmp_path / "s", ("a", "b", "c", "d"))
    tmp = tmp_path / "tmp"
    kill_readers(base, tmp, (0.05, 0.13, 0.21, 0.34, 0.55, 0.89))
    assert list(tmp.iterdir()) == []


def kill_readers(base: Path, tmp: Path, delays: tuple[float, ...]) -> None:
    """Start a process that opens `base` again and again (its temp folder `tmp`) and kill it
    with SIGKILL after each delay: somewhere inside a connect."""
    tmp.mkdir(exist_ok=True)
    code = "import sys, art\nprint('go', flush=True)\nwhile True:\n    art.connect(sys.argv[1]).close()\n"
    for delay in delays:
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(base)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "TMPDIR": str(tmp)},
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "go"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(10)


@pytest.mark.parametrize("odd", ["*", "[ab]*", "?"])
async def test_glob_characters_in_names_are_names(tmp_path: Path, odd: str) -> None:
    """#13.8: a model named `*` doubled every other model's rows (paths reached read_parquet as patterns)."""
    base = await small_store(tmp_path, ("a", "b", odd))
    con = art.connect(base)
    per_model = dict(con.execute("SELECT model, count(*) FROM trajectories GROUP BY model").fetchall())
    assert per_model == {"a": 6, "b": 6, odd: 6}
    for name in ("a", odd):
        n = con.execute("SELECT count(*) FROM trajectories_of('p', ?)", [name]).fetchone()[0]
        assert n == 6


async def test_glob_characters_in_names_read_their_own_history(tmp_path: Path) -> None:
    """A model named `*` read every model's history.jsonl as its own (the path reached
    read_json as a pattern): its best step was the mean of all four models'."""
    series = {"a": [0.1, 0.9, 0.2], "*": [0.5, 0.1, 0.3], "[ab]*": [0.2, 0.3, 0.4], "b": [0.0, 0.0, 0.95]}
    for name, values in series.items():
        m = Model(name=name, project="p", base_path=str(tmp_path), report_metrics=[])
        for step, value in enumerate(values):
            await m.log(split="val", step=step, metrics={"reward": value})
    con = art.connect(tmp_path)
    for name, values in series.items():
        best = best_steps(tmp_path, "p", name, "val/reward")[0]
        assert (best.step, best.value) == (values.index(max(values)), max(values)), name
        rows = con.execute(
            "SELECT step, value FROM history WHERE model = ? AND metric = 'val/reward' ORDER BY step", [name]
        ).fetchall()
        assert rows == list(enumerate(values)), name


WRITES_AND_OUTSIDE_READS = (
    "COPY (SELECT 1) TO '{out}/x.csv'",
    "COPY history TO '{traj}'",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{traj}' (FORMAT csv, USE_TMP_FILE false)",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}/y.csv'",
    "ATTACH '{out}/z.duckdb' AS z",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_text('{hist}')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
)


async def test_user_sql_runs_in_a_sandbox(tmp_path: Path) -> None:
    """#13.9: `EXPLAIN ANALYZE COPY` wrote files and read_text read any file; DuckDB refuses now."""
    base = await small_store(tmp_path / "s")
    traj_file = base / "p/models/a/trajectories/val/0000.parquet"
    hist = base / "p/models/a/history.jsonl"
    out = tmp_path / "out"
    out.mkdir()
    before = tree(base)
    for template in WRITES_AND_OUTSIDE_READS:
        statement = template.format(out=out, traj=traj_file, hist=hist)
        with pytest.raises((ReadOnlyQueryError, duckdb.Error)):
            analysis.sql(base, statement)
        result = runner.invoke(app, ["sql", statement, "-b", str(base)])
        assert result.exit_code == 1, statement
    con = art.connect(base)
    for template in WRITES_AND_OUTSIDE_READS[:1] + WRITES_AND_OUTSIDE_READS[3:]:
        with pytest.raises(duckdb.Error):  # refused by DuckDB itself, no text check involved
            con.execute(template.format(out=out, traj=traj_file, hist=hist)).fetchall()
    assert tree(base) == before and list(out.iterdir()) == []
    pivot = analysis.sql(
        base, "PIVOT (SELECT step, metric, value FROM history) ON metric USING first(value) ORDER BY step"
    )
    assert len(pivot.rows) == 3
    assert len(analysis.sql(base, "SUMMARIZE SELECT reward FROM trajectories").rows) == 1
    assert analysis.sql(base, "CREATE TEMP VIEW v AS SELECT 1 AS x; SELECT * FROM v").rows == [(1,)]


async def test_the_sandbox_opens_real_split_folders_only(tmp_path: Path) -> None:
    """The sandbox allows the store's split folders, not a file list: a link inside one that
    points outside, and a `trajectories` folder that is itself a link outside, open nothing."""
    base = await small_store(tmp_path / "s", models=("a", "b"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    val = base / "p/models/a/trajectories/val"
    (val / "notes.txt").symlink_to(outside / "secret.txt")
    moved = outside / "b-trajectories"
    shutil.move(base / "p/models/b/trajectories", moved)  # b's files now live outside...
    (base / "p/models/b/trajectories").symlink_to(moved)  # ...behind a link in the store
    con = art.connect(base)
    rows = con.execute("SELECT model, step, count(*) FROM trajectories GROUP BY ALL ORDER BY ALL").fetchall()
    assert rows == [("a", 0, 2), ("a", 1, 2), ("a", 2, 2)]
    one = {"p": str(val / "0001.parquet")}
    assert con.execute("SELECT count(*) FROM read_parquet($p)", one).fetchone() == (2,)
    b_file = base / "p/models/b/trajectories/val/0000.parquet"
    for path in (val / "notes.txt", moved / "val/0000.parquet", b_file, outside / "secret.txt"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_blob($p)", {"p": str(path)}).fetchall()


async def test_glob_lists_no_names_beyond_the_store(tmp_path: Path) -> None:
    """DuckDB checks a glob's text and the files it opens, not the names it lists: a folder
    allowed whole would list `/etc` through a link inside it, or a sibling `store` through a
    store spelt `st[o]re`. Such folders are allowed file by file."""
    outside = tmp_path / "store/p/models/a/trajectories/val"  # what `st[o]re` also spells
    outside.mkdir(parents=True)
    (outside / "secret-name.txt").write_text("x")
    base = await small_store(tmp_path / "st[o]re", models=("a", "*"))
    val = base / "p/models/a/trajectories/val"
    (val / "d").symlink_to("/etc")
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (12,)
    for pattern in (f"{val}/d/*", f"{val}/*/pass*", f"{val}/*", f"{base}/p/models/*/trajectories/val/*"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM glob($p)", {"p": pattern}).fetchall()
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT filename FROM read_text($p)", {"p": pattern}).fetchall()


def hashes(base: Path) -> dict[str, str]:
    """Every file under base by content hash (a write that keeps size and mtime still shows)."""
    return {
        str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


ALLOW_LIST_REFUSES = (
    "PREPARE p AS COPY history TO '{traj}'",
    "PREPARE p AS SELECT 1; EXECUTE p",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{traj}' (FORMAT csv)",
    "EXPLAIN (ANALYZE) COPY (SELECT 1) TO '{traj}' (FORMAT csv)",
    "explain analyse copy (select 1) to '{traj}'",
    "COPY (SELECT * FROM trajectories) TO '{traj}' (FORMAT parquet)",
    "SELECT 1; COPY history TO '{traj}'",
    "EXPORT DATABASE '{out}/exp'",
    "ATTACH '{traj}' AS x",
    "ATTACH '{out}/z.duckdb' AS z",
    "DETACH memory",
    "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "FROM enable_logging(storage='file', storage_path='{out}')",
    "SELECT * FROM query('SELECT * FROM enable_' || 'logging(storage=''file'', storage_path=''{out}'')')",
    "SELECT * FROM \"query_table\" ('history')",
    "SELECT * FROM query/* a comment */('COPY history TO ''{traj}''')",
    "CALL pragma_version()",
    "PRAGMA enable_profiling",
    "SET threads = 1",
    "INSERT INTO history VALUES (1)",
    "DROP VIEW history",
    "BEGIN",
)


async def test_user_sql_is_an_allow_list_of_kinds_that_cannot_write(tmp_path: Path) -> None:
    """#13.9: only queries, EXPLAIN of a query, in-memory CREATEs and SET VARIABLE run;
    every way to write (a PREPAREd COPY, EXPLAIN ANALYZE COPY, COPY onto the store's own
    parquet file, EXPORT, ATTACH) is refused and every store file keeps its bytes."""
    base = await small_store(tmp_path / "s")
    traj_file = base / "p/models/a/trajectories/val/0000.parquet"
    out = tmp_path / "out"
    out.mkdir()
    before = hashes(base)
    for template in ALLOW_LIST_REFUSES:
        statement = template.format(out=out, traj=traj_file)
        with pytest.raises(ReadOnlyQueryError):
            analysis.sql(base, statement)
        assert runner.invoke(app, ["sql", statement, "-b", str(base)]).exit_code == 1, statement
    assert hashes(base) == before and list(out.iterdir()) == []
    allowed = (
        "SELECT count(*) FROM trajectories",
        "FROM history LIMIT 1",
        "DESCRIBE trajectories",
        "SHOW TABLES",
        "EXPLAIN SELECT * FROM trajectories",
        "EXPLAIN ANALYZE SELECT count(*) FROM trajectories",
        "CREATE TEMP MACRO twice(x) AS 2 * x; SELECT twice(3)",
        "SELECT metric AS query FROM history LIMIT 1",
        "CREATE TABLE t AS SELECT step FROM history; SELECT count(*) FROM t",
        "SET VARIABLE k = 2; SELECT getvariable('k')",
        "UNPIVOT (SELECT 1 AS a, 2 AS b) ON a, b INTO NAME n VALUE v",
    )
    for statement in allowed:
        assert analysis.sql(base, statement).rows, statement
    assert hashes(base) == before


async def test_the_catalog_file_is_data_never_code(tmp_path: Path) -> None:
    """#13.10: a crafted macro `avg`, a view `trajectory_files` or a forged history value in the
    catalog file change no answer; the file is ignored by readers and rebuilt by writers."""
    base = await small_store(tmp_path / "s")
    Catalog(base).sync()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    with duckdb.connect(str(base / "catalog.duckdb")) as cat:
        cat.execute(f"CREATE MACRO avg(x) AS (SELECT max(length(content)) FROM read_text('{secret}'))")
        cat.execute("UPDATE history SET value = 99 WHERE step = 0 AND metric = 'val/reward'")
    # readers copy the tables by name and never resolve a name inside the file
    got = analysis.sql(base, "SELECT avg(reward) FROM trajectories").rows[0][0]
    assert got == pytest.approx((0 + 0.5 + 0.25 + 0.5 + 0.5 + 0.5) / 6)
    assert best_steps(base, "p", "a", "val/reward")[0].step == 2  # not the forged step 0
    with pytest.warns(CatalogRebuiltWarning, match="did not create"):
        Catalog(base).sync()
    assert list(base.glob("catalog.duckdb.damaged-*"))

    # a view where the file index should be: readers ignore the file, writers move it aside
    with duckdb.connect(str(base / "catalog.duckdb")) as cat:
        cat.execute("DROP TABLE trajectory_files")
        cat.execute(f"CREATE VIEW trajectory_files AS SELECT * FROM read_text('{secret}')")
    with pytest.warns(CatalogDamagedWarning):
        con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (3,)
    with pytest.warns(CatalogRebuiltWarning):
        Catalog(base).sync()
    assert len(list(base.glob("catalog.duckdb.damaged-*"))) == 2


def test_reading_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    """Issue 15: reading a path with no store raises, naming it, and creates no folder or catalog."""
    missing = tmp_path / "nope"
    for read in (
        lambda: art.connect(missing),
        lambda: analysis.runs(missing),
        lambda: analysis.sql(missing, "SELECT 1"),
        lambda: analysis.history(missing, "p", "m"),
        lambda: best_steps(missing, "p", "m", "val/reward"),
    ):
        with pytest.raises(StoreNotFoundError, match="nope"):
            read()
        assert not missing.exists()
    result = runner.invoke(app, ["runs", "-b", str(missing)])
    assert result.exit_code == 1 and "nope" in result.stderr
    assert not missing.exists()


async def test_a_reader_does_not_block_a_writer(tmp_path: Path) -> None:
    """Readers hold the catalog file only while copying from it: a writer right after succeeds."""
    base = await small_store(tmp_path / "s")
    con = art.connect(base)
    t0 = time.perf_counter()
    Catalog(base).sync()
    assert time.perf_counter() - t0 < 5
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (3,)


async def test_filters_on_path_columns_prune_files_before_opening(tmp_path: Path) -> None:
    """#17: project/model/split/step come from the file name, so DuckDB skips the other files."""
    base = await small_store(tmp_path / "s", ("a", "b"))
    con = art.connect(base)
    for where, files in (("step = 1", 2), ("model = 'b' AND step = 1", 1), ("model = 'a'", 3)):
        plan = con.execute(f"EXPLAIN ANALYZE SELECT count(*) FROM trajectories WHERE {where}").fetchall()
        assert f"Total Files Read: {files}" in plan[0][1], where
        assert con.execute(f"SELECT count(*) FROM trajectories WHERE {where}").fetchone() == (2 * files,)


async def test_a_base_path_with_quotes_and_semicolons_is_a_path_not_sql(tmp_path: Path) -> None:
    """ATTACH takes no parameters, so the catalog's path is quoted as a SQL literal: a base path
    like `we'ird; DROP` must still be read as a path (and the catalog found and used)."""
    base = tmp_path / "we'ird; DETACH memory; --"
    m = Model(name="a", project="p", base_path=str(base), report_metrics=[])
    await m.log([TrajectoryGroup([traj(0.25), traj(0.75)])], split="val", step=2)
    m.store.flush()
    assert (base / "catalog.duckdb").exists()
    con = art.connect(base)
    assert con.execute("SELECT count(*), avg(reward) FROM trajectories").fetchone() == (2, 0.5)
    assert best_steps(base, "p", "a", "val/reward")[0].step == 2


@pytest.mark.parametrize("stray", ["²", "٧"])
async def test_a_stray_file_named_with_non_ascii_digits_is_not_a_step(tmp_path: Path, stray: str) -> None:
    """`².parquet` (str.isdigit() but not int()) stopped every reader; `٧.parquet` was step 7 in
    trajectory_files but NULL in the views. Neither is a step file: both are left out."""
    base = await small_store(tmp_path)
    split = base / "p/models/a/trajectories/val"
    shutil.copyfile(split / "0000.parquet", split / f"{stray}.parquet")
    con = art.connect(base)
    assert con.execute("SELECT list(step ORDER BY step) FROM trajectory_files").fetchone() == ([0, 1, 2],)
    assert con.execute("SELECT count(DISTINCT path), count(*) FROM trajectories").fetchone() == (3, 6)
    Catalog(base).sync()  # a writer's catch-up leaves it out as well
    assert art.connect(base).execute("SELECT count(*) FROM trajectory_files").fetchone() == (3,)


async def test_a_base_path_duckdb_cannot_spell_is_refused_by_name(tmp_path: Path) -> None:
    """A backslash before `*` in the store's path: DuckDB's glob takes it as an escape and no
    spelling reaches the files, so opening it says why (it said "No files found"); the files
    are intact and read through another path to the same folder."""
    base = await small_store(tmp_path / "runs\\*2026")
    with pytest.raises(UnreadableStorePathError, match=r"backslash before a glob character") as e:
        art.connect(base)
    assert isinstance(e.value, ValueError) and repr(str(base)) in str(e.value)
    (tmp_path / "link").symlink_to(base)
    assert art.connect(tmp_path / "link").execute("SELECT count(*) FROM trajectories").fetchone() == (6,)


async def test_a_history_line_edited_in_place_reaches_every_reader(tmp_path: Path) -> None:
    """A value corrected in place keeps the file's size (and inode): the catalog and the SQL
    views took the file as unchanged and kept the old value, while best_step saw the new one."""
    base = await small_store(tmp_path)
    hist = base / "p/models/a/history.jsonl"
    art.connect(base).close()  # the catalog snapshot of this process knows the file
    query = "SELECT step, value FROM history WHERE metric = 'val/reward' ORDER BY step"
    before = art.connect(base).execute(query).fetchall()
    assert before[1] == (1, 0.375)
    text = hist.read_bytes()
    assert b'"val/reward": 0.375' in text
    time.sleep(0.01)  # a later mtime than the catalog's record
    with open(hist, "r+b") as f:  # the same size, the same inode
        f.seek(text.index(b'"val/reward": 0.375'))
        f.write(b'"val/reward": 0.875')
    after = art.connect(base).execute(query).fetchall()
    assert after[1] == (1, 0.875) and after[0] == before[0] and after[2] == before[2]
    assert best_steps(base, "p", "a", "val/reward")[0].step == 1
    Catalog(base).sync()  # a writer's catch-up of the catalog file itself
    assert art.connect(base).execute(query).fetchall() == after
    shown = analysis.history(base, "p", "a", metric="val/reward")
    at = {c: i for i, c in enumerate(shown.columns)}
    assert [r[at["value"]] for r in shown.rows] == [v for _, v in after]


async def test_a_history_recreated_under_its_old_inode_is_read_from_the_start(tmp_path: Path) -> None:
    """A run deleted and logged again under its name: ext4 hands the new history.jsonl the
    freed inode, and it grows past the recorded size. Read as lines appended past the old
    offset, it kept the old run's values and a tail of the new one, in the catalog too."""
    base = await small_store(tmp_path / "s")
    hist = base / "p/models/a/history.jsonl"
    old_ino = hist.stat().st_ino
    line = json.loads(hist.read_text().splitlines()[0])
    with open(hist, "w") as f:  # the same inode (as ext4 reuses it), other and more lines
        for step in range(12):
            f.write(json.dumps({**line, "step": step, "val/reward": 0.9}) + "\n")
    assert hist.stat().st_ino == old_ino
    (base / "catalog.lock").unlink(missing_ok=True)
    query = "SELECT step, value FROM history WHERE metric = 'val/reward' ORDER BY step"
    expected = [(step, 0.9) for step in range(12)]
    assert art.connect(base).execute(query).fetchall() == expected
    Catalog(base).sync()
    assert art.connect(base).execute(query).fetchall() == expected


async def test_a_models_trajectories_folder_is_allowed_whole_only_when_nothing_in_it_leads_out(
    tmp_path: Path,
) -> None:
    """A model whose `trajectories` folder holds only its split folders (and plain files) is
    allowed as one folder; a link, or a folder the views do not read, beside the splits sends
    it back to one entry per split folder, and no name or byte beyond is reachable."""
    base = await small_store(tmp_path / "s", models=("a", "b", "c"))
    traj_a, traj_b, traj_c = (base / f"p/models/{m}/trajectories" for m in "abc")
    (traj_a / "README.txt").write_text("notes")  # a plain file: in the store, readable
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep/secret.txt").write_text("secret")
    (traj_b / "evil").symlink_to(outside)
    (traj_c / "empty").mkdir()  # a folder the views do not read
    (traj_c / "empty/hidden.txt").write_text("x")
    con = art.connect(base)
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (18,)
    assert con.execute("SELECT content FROM read_text($p)", {"p": str(traj_a / "README.txt")}).fetchall() == [
        ("notes",)
    ]
    for path in (traj_b / "evil/deep/secret.txt", outside / "deep/secret.txt", traj_c / "empty/hidden.txt"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_blob($p)", {"p": str(path)}).fetchall()
    for pattern in (f"{traj_b}/*", f"{traj_b}/evil/*", f"{traj_b}/*/*", f"{traj_c}/*", f"{traj_c}/empty/*"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM glob($p)", {"p": pattern}).fetchall()
    # a link that appears in a folder allowed whole before sends it back to its splits
    (traj_a / "later").symlink_to(outside)
    con = art.connect(base)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM glob($p)", {"p": f"{traj_a}/later/*"}).fetchall()
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (18,)
