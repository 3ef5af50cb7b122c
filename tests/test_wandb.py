"""Mirroring to Weights & Biases, against real wandb in offline mode read back from its file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from art import Model
from art.report.wandb import WandbWarning, wants_wandb

from .conftest import group


def read_offline_run(wandb_dir: Path) -> list[dict]:
    """History rows of the offline run, read back by wandb's own reader (`wandb leet inspect`)."""
    [run_dir] = list(wandb_dir.glob("wandb/offline-run-*"))
    wandb_cli = Path(sys.executable).with_name("wandb")
    out = subprocess.run(
        [str(wandb_cli), "leet", "inspect", "--json", str(run_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return [r["history"]["item"] for r in records if r.get("type") == "history"]


async def test_offline_run_receives_every_history_row(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    store = tmp_path / "store"
    m = Model(name="agent-1", project="proj", base_path=str(store), config={"lr": 0.1})
    sent = []
    for step in range(3):
        sent.append((step, await m.log([group(1.0, 0.0), group(0.5)], split="train", step=step)))
        sent.append((step, await m.log([group(float(step) / 3)], split="val", step=step)))
    sent.append((3, await m.log(split="eval-hard", step=3, metrics={"acc": 0.25})))
    await m.close()
    rows = read_offline_run(tmp_path)
    assert len(rows) == len(sent)
    for row, (step, expected) in zip(rows, sent, strict=True):
        assert row["training_step"] == step
        for key, value in expected.items():
            assert row[key] == pytest.approx(value), key
        assert {k for k in row if not k.startswith("_")} == {*expected, "training_step"}


def test_auto_detection_rules() -> None:
    assert wants_wandb(None, {"WANDB_API_KEY": "k"})
    assert wants_wandb(None, {"WANDB_MODE": "offline"})
    assert not wants_wandb(None, {})
    assert wants_wandb(["wandb"], {})
    assert not wants_wandb([], {"WANDB_API_KEY": "k"})


async def test_asking_for_wandb_without_a_key_warns_once_and_still_logs(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=["wandb"])
    with pytest.warns(WandbWarning, match="WANDB_API_KEY"):
        await m.log([group(1.0)], step=0)
    await m.log([group(1.0)], step=1)
    assert len((tmp_path / "proj/models/agent/history.jsonl").read_text().splitlines()) == 2


async def test_a_wandb_error_never_breaks_log(tmp_path: Path, monkeypatch) -> None:
    import wandb

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    m = Model(name="agent", project="proj", base_path=str(tmp_path / "store"))
    await m.log([group(1.0)], step=0)
    wandb.teardown()  # wandb's service is gone: every later run.log raises
    with pytest.warns(WandbWarning, match="wandb failed"):
        row = await m.log([group(0.5)], step=1)
    assert row["val/reward"] == 0.5
    await m.log([group(0.0)], step=2)
    lines = (tmp_path / "store/proj/models/agent/history.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [0, 1, 2]


def test_log_without_reporting_never_imports_wandb(tmp_path: Path) -> None:
    code = (
        "import asyncio, sys, art\n"
        f"m = art.Model(name='a', project='p', base_path={str(tmp_path)!r}, report_metrics=[])\n"
        "t = art.Trajectory(messages_and_choices=[{'role': 'user', 'content': 'x'}], reward=1.0)\n"
        "asyncio.run(m.log([t]))\n"
        "print('wandb' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
