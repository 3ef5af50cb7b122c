"""The same ART-style script (tests/compat/scenario.py) run by openpipe-art 0.5.23 and by
this package: equal history rows, running totals, checkpoints kept, and trajectory files
that each package's reader reads back identically, whichever package wrote them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from art.store.parquet_read import read_groups

from .test_art_peer import PEER, ROOT, peer

pytestmark = pytest.mark.compat
SCENARIO = Path(__file__).with_name("scenario.py")


def run_scenario(python: Path | str, base: Path) -> dict:
    out = subprocess.run(
        [str(python), str(SCENARIO), str(base)], capture_output=True, text=True, cwd="/", check=True
    )
    return json.loads(out.stdout)


NAMES = ["train/0000.parquet", "train/0001.parquet", "val/0004.parquet", "val/0099.parquet"]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path, Path, dict]:
    """Ours first (in its own process); then one ART process runs the scenario and reads
    both packages' files (ART's import is the slow part)."""
    theirs, ours = tmp_path_factory.mktemp("theirs"), tmp_path_factory.mktemp("ours")
    our_run = run_scenario(sys.executable, ours)
    files = [str(d / "compat/models/run-1/trajectories" / n) for n in NAMES for d in (theirs, ours)]
    lines = peer("scenario", str(theirs), "+", "read", *files).splitlines()
    return json.loads(lines[0]), our_run, theirs, ours, json.loads(lines[1])


@pytest.fixture(scope="module")
def runs(both: tuple[dict, dict, Path, Path, dict]) -> tuple[dict, dict, Path, Path]:
    return both[:4]


def test_history_keys_and_values_equal_arts(runs: tuple[dict, dict, Path, Path]) -> None:
    theirs, ours, _, _ = runs
    assert len(ours["history"]) == len(theirs["history"]) == 13
    *theirs_rows, theirs_nan = theirs["history"]
    *ours_rows, ours_nan = ours["history"]
    # the one difference, by design: a NaN reward is left out of the mean, not the mean out
    # of the row (ART's mean is NaN, so it drops val/reward and val/reward_std_dev)
    assert set(ours_nan) - set(theirs_nan) == {"val/reward", "val/reward_std_dev"}
    assert (ours_nan["val/reward"], ours_nan["val/reward_std_dev"]) == (0.25, 0.0)
    assert {k: v for k, v in ours_nan.items() if k in theirs_nan} == theirs_nan
    for a, b in zip(theirs_rows, ours_rows, strict=True):
        assert sorted(b) == sorted(a)
        for key in a:
            assert b[key] == pytest.approx(a[key], abs=1e-12), key
    train = theirs["history"][0]
    assert {
        "data/step_num_groups_trainable",
        "data/cum/num_trajectories",
        "costs/cum/all",
        "train/loss",
    } <= set(train)
    assert "val/data/step_num_scenarios" in theirs["history"][1]


def test_running_totals_survive_a_restart_as_in_art(runs: tuple[dict, dict, Path, Path]) -> None:
    theirs, ours, _, _ = runs
    assert ours["cum_state"] == pytest.approx(theirs["cum_state"])
    assert ours["scenarios"] == theirs["scenarios"]
    # the restart at step 2 went on from the totals: 4 steps x 9 rollouts
    assert ours["cum_state"]["data/cum/num_trajectories"] == 36.0


def test_checkpoints_kept_and_files_written_equal_arts(runs: tuple[dict, dict, Path, Path]) -> None:
    theirs, ours, _, _ = runs
    assert ours["kept"] == theirs["kept"]
    assert ours["files"] == theirs["files"]


def _same_tracebacks(groups: list[dict]) -> list[dict]:
    """A traceback's frames name the package that awaited the rollout: keep its last line.
    NaN rewards become a string, so that equal dumps compare equal."""
    for g in groups:
        for e in g.get("exceptions", []):
            e["traceback"] = e["traceback"].strip().splitlines()[-1]
        for t in g["trajectories"]:
            if t["reward"] != t["reward"]:
                t["reward"] = "NaN"
    return groups


def _our_dump(path: Path) -> list[dict]:
    out = []
    for g in read_groups(path):
        d = g.model_dump(mode="json")
        d["choice_types"] = [[type(m).__name__ for m in t.messages_and_choices] for t in g.trajectories]
        out.append(d)
    return _same_tracebacks(out)


def test_each_reader_reads_both_files_identically(both: tuple[dict, dict, Path, Path, dict]) -> None:
    _, _, theirs, ours, read = both
    pairs = [tuple(d / "compat/models/run-1/trajectories" / n for d in (theirs, ours)) for n in NAMES]
    for a, b in pairs:
        assert _same_tracebacks(read[str(b)]) == _same_tracebacks(read[str(a)]), a.name
        assert _our_dump(b) == _our_dump(a)
        if a.name != "0099.parquet":  # the NaN step has no choices
            kinds = {k for g in _our_dump(a) for t in g["choice_types"] for k in t}
            assert kinds == {"dict", "Choice"}  # the "eos" choice dict stays a dict in both


def test_peer_is_the_real_openpipe_art() -> None:
    out = subprocess.run(
        [str(PEER), "-c", "import importlib.metadata as m; print(m.version('openpipe-art'))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "0.5.23"


def test_rollout_example_runs_under_art_and_writes_what_we_write(tmp_path: Path) -> None:
    """examples/rollout.py uses only ART's names: the real openpipe-art runs it too, against
    the same local server, and writes the same history row."""
    import os

    from ..llm_server import llm_server

    rows = {}
    with llm_server() as (url, _):
        for who, python in (("theirs", PEER), ("ours", Path(sys.executable))):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ART_", "WANDB_", "OPENAI_"))}
            env |= {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "k", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
            (tmp_path / who).mkdir()
            subprocess.run(
                [str(python), str(ROOT / "examples/rollout.py")],
                cwd=tmp_path / who,
                env=env,
                check=True,
                capture_output=True,
            )
            line = (tmp_path / who / ".art/arithmetic/models/prompted-model/history.jsonl").read_text()
            rows[who] = {k: v for k, v in json.loads(line).items() if k != "recorded_at"}
    assert rows["ours"] == pytest.approx(rows["theirs"])
    assert rows["ours"]["val/reward"] == 0.5
