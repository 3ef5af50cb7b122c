"""Cross-checks against the real openpipe-art 0.5.23 in its venv (bench/setup_peer.sh):
run by `python -m pytest` whenever the peer exists, and always in CI (see tests/conftest.py).

Same workload written by both: equal history values; ART's reader gives back the same groups
from our files as from its own (Choice objects included); our reader on ART's files gives
back the groups we built.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai.types.chat.chat_completion import Choice

import art

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from workload import build, feed, group_specs  # noqa: E402

from art.store.catalog import Catalog  # noqa: E402
from art.store.file_stats import file_stats  # noqa: E402
from art.store.parquet_read import read_groups  # noqa: E402

pytestmark = pytest.mark.compat
PEER = Path(os.environ.get("PEER_PYTHON", ROOT / "bench" / ".peer-venv" / "bin" / "python"))
STEPS, GROUPS, PER_GROUP = 4, 8, 4


def peer(*args: str) -> str:
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    out = subprocess.run(
        [str(PEER), str(ROOT / "bench" / "peer_art.py"), *args],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    )
    return out.stdout


NAMES = ["train/0000.parquet", "train/0003.parquet", "val/0002.parquet"]


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose catalog has listed its split folders, settled long ago (their mtimes are
    recorded); `runs`' ART process then logs its val step 2 again (3 groups of 2, was 1)."""
    base = tmp_path_factory.mktemp("settled")
    model = art.Model(name="peer", project="bench", base_path=str(base), report_metrics=[])
    asyncio.run(feed(model, art, Choice, 3, 4, 2))
    for folder in (base / "bench/models/peer/trajectories").iterdir():
        st = folder.stat()
        os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns - 10**10))
    Catalog(base).rebuild()
    return base


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, settled: Path) -> tuple[Path, Path, dict]:
    """Ours written first, so that one ART process writes its store and reads both (and logs
    `settled`'s val step 2 again)."""
    theirs = tmp_path_factory.mktemp("theirs")
    ours = tmp_path_factory.mktemp("ours")
    model = art.Model(name="peer", project="bench", base_path=str(ours), report_metrics=[])
    asyncio.run(feed(model, art, Choice, STEPS, GROUPS, PER_GROUP))
    dirs = theirs / "bench/models/peer", ours / "bench/models/peer"
    files = [str(d / "trajectories" / n) for n in NAMES for d in dirs]
    relog = ["relog", str(settled), "val", "2", "3", "2"]
    write = ["write", str(theirs), str(STEPS), str(GROUPS), str(PER_GROUP)]
    out = peer(*write, "+", "read", *files, "+", *relog)
    return *dirs, json.loads(out.splitlines()[1])


@pytest.fixture(scope="module")
def stores(runs: tuple[Path, Path, dict]) -> tuple[Path, Path]:
    return runs[0], runs[1]


def _rows(model_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (model_dir / "history.jsonl").read_text().splitlines()]


def test_history_values_equal_arts(stores: tuple[Path, Path]) -> None:
    theirs, ours = (_rows(d) for d in stores)
    assert len(theirs) == len(ours)
    for a, b in zip(theirs, ours, strict=True):
        a = {k: v for k, v in a.items() if k != "recorded_at"}
        b = {k: v for k, v in b.items() if k != "recorded_at"}
        assert list(a) == list(b)  # the same keys in the same order (a DataFrame's columns)
        for key in a:
            assert b[key] == pytest.approx(a[key], abs=1e-9), key


def test_arts_reader_reads_our_files_as_its_own(runs: tuple[Path, Path, dict]) -> None:
    theirs, ours, read = runs
    for name in NAMES:
        from_theirs, from_ours = (read[str(d / "trajectories" / name)] for d in (theirs, ours))
        assert from_ours == from_theirs, name
        assert any("Choice" in kinds for g in from_ours for kinds in g["choice_types"])


@pytest.mark.parametrize("name", ["train/0000.parquet", "train/0003.parquet", "val/0002.parquet"])
def test_our_reader_reads_arts_files(stores: tuple[Path, Path], name: str) -> None:
    theirs, _ = stores
    split, file = name.split("/")
    step = int(file.split(".")[0])
    spec_step = step if split == "train" else 1000 + step
    groups = GROUPS if split == "train" else max(1, GROUPS // 4)
    expected = build(group_specs(spec_step, groups, PER_GROUP), art, Choice)
    got = read_groups(theirs / "trajectories" / name)
    for g_exp, g_got in zip(expected, got, strict=True):
        assert g_got.trajectories == g_exp.trajectories
        assert [e.message for e in g_got.exceptions] == [e.message for e in g_exp.exceptions]
        assert (g_got.metadata, g_got.metrics, g_got.logs) == (g_exp.metadata, g_exp.metrics, g_exp.logs)


def test_a_step_arts_logs_again_is_counted_again(runs: tuple[Path, Path, dict], settled: Path) -> None:
    """openpipe-art writes a step logged again over its old file (its folder unchanged) and then
    appends the step's history line: a reader over a catalog that has listed the settled
    folder counts the file as it is now."""
    val = settled / "bench/models/peer/trajectories/val"
    full = file_stats(val / "0002.parquet")
    assert (full.groups, full.trajectories) == (3, 6)
    assert val.stat().st_mtime_ns < time.time_ns() - 5 * 10**9  # written in place: folder untouched
    with art.connect(settled) as con:
        where = "WHERE split = 'val' AND step = 2"
        assert con.execute(f"SELECT groups, trajectories FROM trajectory_files {where}").fetchone() == (3, 6)
        assert con.execute(f"SELECT count(*) FROM trajectories {where}").fetchone() == (6,)
