"""What a warm `art.connect()` reuses from the open before it (issue 17): the catalog copy's
sources rows and model names (read once per copy), its `models` rows read in place. Each is
used only while it is what a first open would find: a writer's change is seen by the next
open."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb
import pytest

import art
from art.store import catalog_snapshot, ingest, paths
from art.store.catalog import Catalog

from .test_catalog_snapshot import answers, catalogued_store, files_only_copy
from .test_read_path import step_from_elsewhere


@pytest.fixture
def keep_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every catalog copy and folder listing is trusted at once (no 2 s wait to settle)."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))
    monkeypatch.setattr(paths, "CTIME_SETTLE_NS", -(10**18))


def settle(base: Path) -> None:
    """Folders written a while ago, as the catalog trusts them."""
    old = time.time() - 3600
    for split in base.glob("p/models/*/trajectories/*"):
        os.utime(split, (old, old))


async def test_a_catalog_a_writer_caught_up_is_read_from_its_own_sources(
    tmp_path: Path, keep_everything: None
) -> None:
    """The sources rows kept with one copy of the catalog never serve another: after a writer
    records lines appended to a history, the next open reads them once (rows kept from the
    old copy would read them again, from where it had stopped)."""
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    count = "SELECT count(*) FROM history WHERE model = 'a'"
    before = art.connect(base).execute(count).fetchone()[0]
    assert art.connect(base).execute(count).fetchone()[0] == before  # from the kept copy
    step_from_elsewhere(base / "p/models/a")
    settle(base)
    Catalog(base).sync()  # the writer records step 3 and the history line
    con = art.connect(base)
    assert con.execute(count).fetchone()[0] > before
    assert con.execute("SELECT count(*) FROM taken_models").fetchone() == (0,)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


async def test_a_model_json_rewritten_since_the_catalog_is_read_from_the_file(
    tmp_path: Path, keep_everything: None
) -> None:
    """`models` is read from the catalog in place; a model whose model.json changed since (or
    whose folder is gone) is read from the files, and only its row is taken into memory."""
    base = await catalogued_store(tmp_path / "s", ("a", "b", "c"))
    for _ in range(2):  # the second open from the kept copy
        assert art.connect(base).execute("SELECT count(*) FROM models").fetchone() == (3,)
    doc = {"name": "b", "project": "p", "trainable": True, "base_model": "Qwen/Qwen2.5-7B"}
    (base / "p/models/b/model.json").write_text(json.dumps(doc))
    con = art.connect(base)
    assert con.execute("SELECT model, trainable, base_model FROM models ORDER BY model").fetchall() == [
        ("a", False, None),
        ("b", True, "Qwen/Qwen2.5-7B"),
        ("c", False, None),
    ]
    assert con.execute("SELECT model, rows FROM taken_models").fetchall() == [("b", "models")]
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


async def test_a_model_passed_over_as_unchanged_is_read_again_once_its_files_change(
    tmp_path: Path, keep_everything: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An open over the same catalog copy passes over a model the open before found needing
    nothing while its split folders, model.json and history.jsonl are as they were then; a
    step logged since, a model.json rewritten in place or a history replaced is read."""
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    walked: list[str] = []
    real = ingest._sync_files
    monkeypatch.setattr(
        ingest, "_sync_files", lambda con, b, p, model, *a: walked.append(model) or real(con, b, p, model, *a)
    )
    for _ in range(3):
        art.connect(base).close()
    assert walked == ["a", "b"]  # the later opens passed over both
    walked.clear()
    a = base / "p/models/a"
    step_from_elsewhere(a)  # a val file and a history line: folder and history changed
    assert art.connect(base).execute("SELECT max(step) FROM history WHERE model = 'a'").fetchone() == (3,)
    assert walked == ["a"]  # b passed over still
    # a line appended to a history (no folder changes): read by every open, each in memory
    history = base / "p/models/b/history.jsonl"
    lines = history.read_text().splitlines()
    line = json.loads(lines[-1])
    line.update({"step": 9, "train/loss": 0.25})
    with history.open("a") as f:
        f.write(json.dumps(line) + "\n")
    for _ in range(3):
        got = art.connect(base).execute(
            "SELECT value FROM history WHERE model = 'b' AND step = 9 AND metric = 'train/loss'"
        )
        assert got.fetchall() == [(0.25,)]
    # a history replaced by one of the same size
    lines = history.read_text().splitlines()
    (base / "new.jsonl").write_text("\n".join([lines[-1], *lines[1:-1], lines[0]]) + "\n")
    os.replace(base / "new.jsonl", history)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth-history"))
    # model.json rewritten in place
    doc = {"name": "b", "project": "p", "trainable": True, "base_model": "m"}
    (base / "p/models/b/model.json").write_text(json.dumps(doc))
    assert art.connect(base).execute("SELECT base_model FROM models WHERE model = 'b'").fetchone() == ("m",)


async def test_a_catalog_put_back_from_before_is_caught_up_with_again(
    tmp_path: Path, keep_everything: None
) -> None:
    """What an open found of the models is kept with its catalog copy alone: a catalog file
    put back from before the last steps (a restored backup) is caught up with the files
    again, though not one file changed since the open before."""
    base = await catalogued_store(tmp_path / "s", ("a", "b"))
    (tmp_path / "old.duckdb").write_bytes((base / "catalog.duckdb").read_bytes())
    step_from_elsewhere(base / "p/models/a")
    settle(base)
    Catalog(base).sync()
    for _ in range(2):
        art.connect(base).close()
    os.replace(tmp_path / "old.duckdb", base / "catalog.duckdb")
    assert art.connect(base).execute("SELECT max(step) FROM history WHERE model = 'a'").fetchone() == (3,)
    assert answers(base) == answers(files_only_copy(base, tmp_path / "truth"))


async def test_a_store_of_plain_split_folders_allows_no_single_file(tmp_path: Path) -> None:
    """When every split folder is allowed whole, the connection's single allowed files are
    left as DuckDB has them (the open sets them only when it has some): only the attached
    catalog copy's (an anonymous memory file) and its logs, which DuckDB adds; a file of the
    store outside the split folders cannot be read."""
    base = await catalogued_store(tmp_path / "s", ("a",))
    con = art.connect(base)
    (files,) = con.execute("SELECT current_setting('allowed_paths')").fetchone()
    db = "SELECT path FROM duckdb_databases() WHERE database_name = 'art_catalog'"
    (copy,) = con.execute(db).fetchone()
    copy = copy.replace("/proc/self/", f"/proc/{os.getpid()}/", 1)
    assert files and all(f == copy or f.startswith(f"{copy}.wal") for f in files)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_text($p)", {"p": str(base / "p/models/a/history.jsonl")}).fetchall()
