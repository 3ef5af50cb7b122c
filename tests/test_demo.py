"""The demo is a real learner: its val reward rises, and train() logs as ART does."""

from __future__ import annotations

import json
from pathlib import Path

from art.demo import run_demo


async def test_demo_learns_and_keeps_the_best_checkpoint(tmp_path: Path) -> None:
    r = await run_demo(tmp_path, steps=16, seed=3, smoothing_window=3)
    curve = [v for _, v in r["val_curve"]]
    assert sum(curve[-4:]) / 4 > sum(curve[:4]) / 4 + 0.2
    assert r["final_policy"]["add"] > 0.5
    assert r["remaining_checkpoints"] == r["kept_checkpoints"]
    assert r["final_step"] in r["kept_checkpoints"]
    assert r["best_smoothed"][0] in r["kept_checkpoints"]

    history = tmp_path / "demo" / "models" / r["model"] / "history.jsonl"
    rows = [json.loads(line) for line in history.read_text().splitlines()]
    train_rows = [row for row in rows if "train/reward" in row]
    loss_rows = [row for row in rows if "train/loss" in row]
    assert [row["step"] for row in train_rows] == list(range(16))
    assert [row["step"] for row in loss_rows] == list(range(1, 17))
    assert all("train/num_gradient_steps" not in row for row in loss_rows)
