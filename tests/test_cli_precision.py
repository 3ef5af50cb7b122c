"""`art history` prints every value with its significant digits when metrics of different
scales share the long format's value column (ART logs token counts next to rewards)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from art.cli import app


def art_history_line(step: int, metrics: dict[str, float]) -> str:
    """A line as openpipe-art 0.5.23 appends it: metrics, training_step, step, naive local time."""
    return json.dumps(
        metrics | {"training_step": step, "step": step, "recorded_at": "2026-11-27T10:02:20.529077"}
    )


def test_rewards_keep_their_digits_next_to_token_counts(tmp_path: Path) -> None:
    model_dir = tmp_path / "p" / "models" / "m"
    model_dir.mkdir(parents=True)
    lines = [
        art_history_line(1, {"train/reward": 0.325, "data/step_trainable_assistant_tokens": 51234.0}),
        art_history_line(2, {"train/reward": 0.4, "data/step_trainable_assistant_tokens": 49876.0}),
    ]
    (model_dir / "history.jsonl").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["history", "p", "m", "-b", str(tmp_path)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    cells = {
        (row[1], row[2]): row[3]
        for row in (line.split() for line in result.output.splitlines())
        if len(row) >= 4
    }
    assert float(cells[("train/reward", "1")]) == 0.325  # the table printed "0" before
    assert float(cells[("train/reward", "2")]) == 0.4
    assert float(cells[("data/step_trainable_assistant_tokens", "1")]) == 51234.0
