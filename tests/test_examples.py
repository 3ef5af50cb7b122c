"""The ART-style scripts in examples/ run unchanged, end to end on the CPU, against a local
OpenAI-compatible server (so `model.openai_client()` makes real HTTP calls)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from art.store.parquet_read import read_groups

from .llm_server import llm_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with llm_server() as s:
        yield s


def run_example(name: str, cwd: Path, url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ART_", "WANDB_", "OPENAI_"))} | {
        "PYTHONPATH": str(ROOT),
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": "test-key",
        "ART_INFERENCE_BASE_URL": url,
        "ART_INFERENCE_API_KEY": "backend-key",
        "ART_LOCAL_TRAINER": "tests.example_trainer:Trainer",
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def history(model_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (model_dir / "history.jsonl").read_text().splitlines()]


def test_rollout_example_logs_val_groups(tmp_path: Path, server: tuple[str, list]) -> None:
    url, requests = server
    before = len(requests)
    assert "logged 12 trajectories" in run_example("rollout.py", tmp_path, url)
    assert len(requests) - before == 12
    assert {r["model"] for r in requests[before:]} == {"prompted-model"}
    assert {r["auth"] for r in requests[before:]} == {"Bearer test-key"}
    model_dir = tmp_path / ".art/arithmetic/models/prompted-model"
    (row,) = history(model_dir)
    assert row["val/reward"] == pytest.approx(0.5)  # odd first operands answered right: 2 of 4
    assert row["val/data/step_num_trajectories"] == 12.0
    assert row["val/completion_tokens"] == 1.0  # from the response's usage, as ART's client reports it
    groups = read_groups(model_dir / "trajectories/val/0000.parquet")
    assert [len(g) for g in groups] == [3, 3, 3, 3]
    assert type(groups[0].trajectories[0].messages_and_choices[-1]).__name__ == "Choice"


def test_backend_train_example_trains_logs_and_keeps_best(tmp_path: Path, server: tuple[str, list]) -> None:
    url, requests = server
    before = len(requests)
    assert "trained to step 3" in run_example("train_loop.py", tmp_path, url)
    assert {r["auth"] for r in requests[before:]} == {"Bearer backend-key"}
    run_dir = tmp_path / ".art/arithmetic/models/agent-run-1"  # run_name names the folder, as in ART 0.5.21+
    rows = history(run_dir)
    assert [r["step"] for r in rows] == [1, 1, 2, 2, 3, 3]
    train = rows[0]
    assert train["train/loss"] == pytest.approx(1.0 - train["train/reward"] + 0.05)
    assert train["data/step_num_trajectories"] == 12.0 and train["data/cum/num_trajectories"] == 12.0
    assert rows[4]["data/cum/num_trajectories"] == 36.0
    assert "time/step_backend_train_s" in train and "time/cum/backend_train_s" in train
    # the server answers alike at every step: val/reward ties, and ties go to the latest
    assert {r["val/reward"] for r in rows[1::2]} == {rows[1]["val/reward"]}
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["0003"]
    model_json = json.loads((run_dir / "model.json").read_text())
    assert (model_json["name"], model_json["run_name"]) == ("agent", "agent-run-1")


def test_old_model_train_example_runs(tmp_path: Path, server: tuple[str, list]) -> None:
    url, _ = server
    assert "trained to step 2" in run_example("old_train_loop.py", tmp_path, url)
    model_dir = tmp_path / ".art/arithmetic/models/old-agent"
    rows = history(model_dir)
    assert [(r["step"], "train/loss" in r) for r in rows] == [(0, False), (1, True), (1, False), (2, True)]
    assert sorted(p.name for p in (model_dir / "trajectories/train").iterdir()) == [
        "0000.parquet",
        "0001.parquet",
    ]
