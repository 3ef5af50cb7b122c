"""A fresh process's `art.connect()` of a store its catalog already holds loads only what
the open uses: the modules that count new files, parse history lines or format JSON cost
~3 ms of every cold open, and are loaded only by an open that finds such work."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import art
from art import Model, TrajectoryGroup
from art.store import catalog_snapshot

from .conftest import traj

UNUSED = ("json", "shlex", "art.store.bulk_stats", "art.store.file_stats", "art.store.history", "pyarrow")
CONNECT = (
    "import sys, art\n"
    "con = art.connect(sys.argv[1])\n"
    "rows = con.execute('SELECT count(*) FROM trajectories').fetchone()[0]\n"
    "steps = con.execute('SELECT count(*) FROM history').fetchone()[0]\n"
    "print(repr([rows, steps, [m for m in sys.argv[2:] if m in sys.modules]]))\n"
)


def connect_elsewhere(base: Path, *modules: str) -> list:
    out = subprocess.run(
        [sys.executable, "-c", CONNECT, str(base), *modules], capture_output=True, text=True, check=True
    )
    return ast.literal_eval(out.stdout)


async def test_a_cold_open_of_a_catalogued_store_loads_no_module_it_does_not_use(tmp_path: Path) -> None:
    m = Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[])
    for step in range(3):
        groups = [TrajectoryGroup([traj(step / 4), traj(0.5)])]
        await m.log(groups, split="val", step=step, metrics={"x": 1.0})
    m.store.flush()
    rows, history, loaded = connect_elsewhere(tmp_path, *UNUSED)
    assert rows == 6 and history > 0
    assert loaded == []


async def test_an_open_that_finds_new_files_and_lines_still_counts_and_reads_them(tmp_path: Path) -> None:
    """The modules loaded where they are used: a step written since the catalog caught up is
    counted and its history line read by the reader's own catch-up."""
    m = Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[])
    await m.log([TrajectoryGroup([traj(0.25), traj(0.5)])], split="val", step=0, metrics={"x": 1.0})
    m.store.flush()
    before = connect_elsewhere(tmp_path)[:2]
    from art.store.parquet import groups_to_table, write_table

    split = tmp_path / "p/models/a/trajectories/val"
    write_table(groups_to_table([TrajectoryGroup([traj(0.75), traj(1.0)])]), split / "0001.parquet")
    with open(tmp_path / "p/models/a/history.jsonl", "a") as f:
        f.write(json.dumps({"val/x": 2.0, "step": 1, "training_step": 1}) + "\n")
    rows, history, loaded = connect_elsewhere(tmp_path, "art.store.bulk_stats", "art.store.history")
    assert rows == before[0] + 2 and history > before[1]
    assert "art.store.bulk_stats" in loaded


async def test_a_second_open_in_the_process_reads_the_paths_the_first_one_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first open keeps what it derived from its file index (the files' text among it)
    for the next open over the same catalog copy: both read every step, and
    trajectories_of() one."""
    monkeypatch.setattr(catalog_snapshot, "SETTLE_NS", -(10**18))  # the copy is kept at once
    monkeypatch.setattr(catalog_snapshot, "_copies", {})
    m = Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[])
    for step in range(3):
        await m.log([TrajectoryGroup([traj(step / 4), traj(0.5)])], split="val", step=step)
    m.store.flush()
    seen = []
    for _ in range(2):
        con = art.connect(tmp_path)
        paths = con.execute("SELECT getvariable('art_trajectory_paths')").fetchone()[0]
        steps = con.execute("SELECT DISTINCT step FROM trajectories ORDER BY step").fetchall()
        one = con.execute("SELECT reward FROM trajectories_of('p', 'a', at_step := 2) ORDER BY 1").fetchall()
        seen.append((paths, steps, one))
        con.close()
    assert seen[0] == seen[1]
    assert seen[0][1] == [(0,), (1,), (2,)] and seen[0][2] == [(0.5,), (0.5,)]
    assert len(seen[0][0].split("\0")) == 3
    kept = [c.index for c in catalog_snapshot._copies.values()]
    assert kept and kept[0] is not None and kept[0][1].paths == seen[0][0]  # what the second one set
