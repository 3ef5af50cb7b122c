"""Opening a store that openpipe-art wrote (no catalog of ours): its files are counted in bulk
by DuckDB, with the same counts a full read gives, and a damaged or foreign file among them is
flagged or read one by one without breaking the open."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import art
from art import Model
from art import cli as art_cli
from art.store import bulk_stats, ingest
from art.store.catalog import Catalog
from art.store.file_stats import FileStats, file_stats
from art.store.ingest import UncataloguedFilesWarning

from .conftest import DATA, group
from .test_damaged_files import damage_pages
from .test_read_path import tree

ART = DATA / "art-0.5.23" / "art-fixture" / "models" / "agent-run" / "trajectories"
ART_V1 = DATA / "art-0.5.9" / "art-fixture" / "models" / "agent-run" / "trajectories"
COLUMNS = "rows, groups, trajectories, exceptions, format_version, error"


def art_store(base: Path, model: str = "agent", copies: int = 2) -> Path:
    """openpipe-art 0.5.23's own files (tests/data), each copied to `copies` steps: 18 files."""
    split_dir = base / "proj" / "models" / model / "trajectories" / "train"
    split_dir.mkdir(parents=True)
    sources = sorted(ART.rglob("*.parquet"))
    for i in range(copies):
        for j, src in enumerate(sources):
            shutil.copyfile(src, split_dir / f"{i * 100 + j:04d}.parquet")
    return split_dir


def recorded(base: Path) -> dict[str, tuple]:
    with art.connect(base) as con:
        rows = con.execute(f"SELECT path, {COLUMNS} FROM trajectory_files ORDER BY path").fetchall()
    return {path: tuple(rest) for path, *rest in rows}


def full_read(base: Path, rel: str) -> tuple:
    s = file_stats(base / rel)
    return s.rows, s.groups, s.trajectories, s.exceptions, s.format_version, s.error


def test_arts_files_get_the_counts_a_full_read_gives_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split_dir = art_store(tmp_path)
    before = tree(tmp_path)
    expected = {p: full_read(tmp_path, p) for p in recorded(tmp_path)}
    assert len(expected) == 18 and all(v[5] is None and v[4] == 2 for v in expected.values())
    assert any(v[0] != v[2] for v in expected.values())  # groups without trajectories
    assert any(v[3] for v in expected.values())  # and exceptions

    full = bulk_stats.file_stats

    def no_full_read(path: Path) -> FileStats:
        assert not path.is_relative_to(tmp_path), f"{path} read in full"
        return full(path)  # another test's late background catch-up

    monkeypatch.setattr(bulk_stats, "file_stats", no_full_read)
    assert recorded(tmp_path) == expected
    with art.connect(tmp_path) as con:
        assert con.execute("SELECT count(*) FROM trajectories").fetchone()[0] == sum(
            v[2] for v in expected.values()
        )
    assert len(list(split_dir.iterdir())) == 18 and tree(tmp_path) == before  # reading wrote nothing


async def test_damaged_and_foreign_files_among_arts_are_flagged_or_read_alone(tmp_path: Path) -> None:
    split_dir = art_store(tmp_path)
    good = split_dir / "0000.parquet"
    (split_dir / "0500.parquet").write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # truncated
    (split_dir / "0501.parquet").write_bytes(b"PAR1 this is not a parquet file")
    (split_dir / "0502.parquet").write_bytes(b"")
    shutil.copyfile(ART_V1 / "train" / "0000.parquet", split_dir / "0503.parquet")  # v1 (ART 0.5.9)
    ours = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await ours.log([group(1.0, 0.5), group(0.25)], split="train", step=504)  # page CRCs
    damage_pages(split_dir / "0504.parquet")
    await ours.log([group(0.75)], split="train", step=505)

    got = recorded(tmp_path)
    rel = "proj/models/agent/trajectories/train/"
    for step in ("0500", "0501", "0502", "0504"):
        error = got.pop(rel + step + ".parquet")[5]
        assert error is not None and f"{step}.parquet" in error
    assert got[rel + "0503.parquet"][4] == 1
    assert got[rel + "0505.parquet"] == (1, 1, 1, 0, 2, None)
    assert got == {p: full_read(tmp_path, p) for p in got}
    with art.connect(tmp_path) as con:
        trajectories = con.execute("SELECT count(*) FROM trajectories").fetchone()[0]
        assert trajectories == sum(v[2] for v in got.values())


def test_glob_characters_in_a_model_name_are_a_name(tmp_path: Path) -> None:
    art_store(tmp_path, "a*[b]?", copies=1)
    shutil.copytree(tmp_path / "proj/models/a*[b]?", tmp_path / "proj/models/ab")
    got = recorded(tmp_path)
    assert len(got) == 18 and got == {p: full_read(tmp_path, p) for p in got}


def test_a_writer_records_what_a_reader_counts(tmp_path: Path) -> None:
    art_store(tmp_path)
    seen = recorded(tmp_path)
    Catalog(tmp_path).sync()
    with Catalog(tmp_path).writing() as con:
        rows = con.execute(f"SELECT path, {COLUMNS} FROM trajectory_files ORDER BY path").fetchall()
    assert {path: tuple(rest) for path, *rest in rows} == seen
    assert recorded(tmp_path) == seen


def test_a_writer_flags_a_damaged_page_the_bulk_count_does_not_read(tmp_path: Path) -> None:
    """Readers count openpipe-art's files in bulk from three columns; a writer's catalog keeps
    what it records, so it decodes every page: a damaged `trajectory_json` chunk is flagged."""
    import pyarrow.parquet as pq

    victim = art_store(tmp_path) / "0000.parquet"
    rg = pq.ParquetFile(victim).metadata.row_group(0)
    chunk = next(c for c in map(rg.column, range(rg.num_columns)) if c.path_in_schema == "trajectory_json")
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(victim.read_bytes())
    data[start + 8 : start + chunk.total_compressed_size - 4] = b"A" * (chunk.total_compressed_size - 12)
    victim.write_bytes(bytes(data))
    Catalog(tmp_path).sync()
    with Catalog(tmp_path).writing() as con:
        errors = dict(con.execute("SELECT path, error FROM trajectory_files").fetchall())
    rel = "proj/models/agent/trajectories/train/0000.parquet"
    assert len(errors) == 18 and errors.pop(rel) is not None and set(errors.values()) == {None}
    assert recorded(tmp_path)[rel][5] is not None  # readers copy the writer's finding


def test_a_cancelled_bulk_count_stops_between_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from art.store.catch_up import CatchUpCancelled

    split_dir = art_store(tmp_path)
    monkeypatch.setattr(bulk_stats, "BATCH", 8)
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 1:
            raise CatchUpCancelled

    with pytest.raises(CatchUpCancelled):
        bulk_stats.bulk_file_stats(sorted(split_dir.iterdir()), check)
    assert len(calls) == 2


def test_a_fork_waits_for_the_bulk_counters_closing_duckdb(tmp_path: Path) -> None:
    """The bulk counter's DuckDB is closed on a thread after the open returns; a fork at that
    moment waits for it (a child forked mid-close would inherit DuckDB's locks held), and a
    forked child then reads the store."""
    art_store(tmp_path)
    closed: list[bool] = []

    class SlowClose:  # stands in for the counter's DuckDB: its close takes a while
        def close(self) -> None:
            time.sleep(0.3)
            closed.append(True)

    art.connect(tmp_path).close()  # the real counter's close thread is running or done
    bulk_stats._close_soon(SlowClose())  # type: ignore[arg-type]
    pid = os.fork()
    if pid == 0:  # the child: the close finished before the fork, and DuckDB works here
        code = 1
        try:
            files = art.connect(tmp_path).execute("SELECT count(*) FROM trajectory_files").fetchone()
            code = 0 if closed == [True] and files == (18,) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_reader_counting_many_uncatalogued_files_says_how_to_stop_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every process re-counts openpipe-art's files until a writer records them: a reader that
    counts 1,000 or more says so once (library: a warning; CLI: one line on stderr), and after
    `art rebuild` nothing is said."""
    art_store(tmp_path, copies=112)  # 1,008 files
    with pytest.warns(UncataloguedFilesWarning, match=r"1,008 trajectory files .*`art rebuild --base-path"):
        art.connect(tmp_path).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        art.connect(tmp_path).close()  # once per process and store
    monkeypatch.setattr(ingest, "_told", set())  # as in a new process: the command, as `art` runs it
    monkeypatch.setattr(sys, "argv", ["art", "runs", "--base-path", str(tmp_path)])
    with warnings.catch_warnings(), pytest.raises(SystemExit) as done:  # restores showwarning
        warnings.simplefilter("default")
        art_cli.main()
    out = capsys.readouterr()
    assert done.value.code == 0 and "agent" in out.out
    assert out.err.startswith("warning: 1,008 trajectory files") and out.err.count("\n") == 1
    Catalog(tmp_path).rebuild()
    monkeypatch.setattr(ingest, "_told", set())  # as in a new process
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        art.connect(tmp_path).close()


def test_the_advice_to_rebuild_is_a_command_that_works_and_only_where_one_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suggested command runs as printed (a path with a space is quoted); a store whose
    path holds a '?' keeps no catalog (`art rebuild` refuses it), so nothing is suggested."""
    monkeypatch.setattr(ingest, "SLOW_OPEN_FILES", 10)  # 18 files say it, as 1,000 do
    spaced = tmp_path / "my store"
    art_store(spaced)
    with pytest.warns(UncataloguedFilesWarning) as told:
        art.connect(spaced).close()
    command = re.search(r"`art (rebuild .*)` records", str(told[0].message)).group(1)
    cli = [sys.executable, "-m", "art", *shlex.split(command)]
    done = subprocess.run(cli, capture_output=True, timeout=120)
    assert done.returncode == 0, done
    assert (spaced / "catalog.duckdb").is_file()
    no_catalog = tmp_path / "q?store"
    art_store(no_catalog)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        art.connect(no_catalog).close()
    assert not [w for w in seen if issubclass(w.category, UncataloguedFilesWarning)]


def test_only_each_groups_leading_row_has_its_group_json_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group's exceptions are read from its leading row (trajectory_index 0, or the
    placeholder's NULL), as a full read reads them: text that is not JSON in the group's other
    rows neither fails the bulk count (no file is read in full) nor changes a count."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    split_dir = art_store(tmp_path)
    victim = next(
        p
        for p in sorted(split_dir.iterdir())
        if pc.max(pq.read_table(p, columns=["trajectory_index"])["trajectory_index"]).as_py()
    )
    table = pq.read_table(victim)
    leading = pc.fill_null(pc.equal(table["trajectory_index"], 0), True)
    not_json = pa.scalar("not JSON", table.schema.field("group_json").type)
    odd = pc.if_else(leading, table["group_json"], not_json)
    table = table.set_column(table.schema.get_field_index("group_json"), "group_json", odd)
    pq.write_table(table, victim, compression="zstd")  # the marker stays in the schema's metadata
    expected = {p: full_read(tmp_path, p) for p in recorded(tmp_path)}
    rel = victim.relative_to(tmp_path).as_posix()
    assert expected[rel][5] is None and expected[rel][3] > 0  # readable, with exceptions

    full = bulk_stats.file_stats

    def no_full_read(path: Path) -> FileStats:
        assert not path.is_relative_to(tmp_path), f"{path} read in full"
        return full(path)

    monkeypatch.setattr(bulk_stats, "file_stats", no_full_read)
    assert recorded(tmp_path) == expected
