"""A TrainableModel asked for by its `name` while ART stores it under its `run_name`: the
not-found error points at the run (ART's LocalBackend.register writes model.json there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import art
from art.analysis import history
from art.errors import NotFoundError


def art_registered_run(base: Path) -> None:
    """What openpipe-art 0.5.23 leaves for TrainableModel(name="agent", run_name="run-7"):
    model.json (LocalBackend.register: model.model_dump()) and one history line."""
    run_dir = base / "proj" / "models" / "run-7"
    run_dir.mkdir(parents=True)
    dump = {"name": "agent", "project": "proj", "entity": None, "id": None, "run_id": None,
            "config": {"learning_rate": 1e-5}, "trainable": True, "inference_api_key": None,
            "inference_base_url": None, "inference_model_name": None, "base_path": str(base),
            "report_metrics": [], "base_model": "Qwen/Qwen2.5-7B", "run_name": "run-7"}  # fmt: skip
    (run_dir / "model.json").write_text(json.dumps(dump))
    line = {"val/reward": 0.5, "training_step": 1, "step": 1, "recorded_at": "2026-11-27T10:04:29.905268"}
    (run_dir / "history.jsonl").write_text(json.dumps(line) + "\n")


def test_the_model_name_points_at_its_run(tmp_path: Path) -> None:
    art_registered_run(tmp_path)
    with pytest.raises(NotFoundError, match=r"'agent' is stored as run 'run-7'"):
        history(tmp_path, "proj", "agent")
    assert art.checkpoints.best_steps(tmp_path, "proj", "run-7", "val/reward")[0].step == 1


def test_a_name_that_no_model_json_gives_gets_no_such_hint(tmp_path: Path) -> None:
    art_registered_run(tmp_path)
    with pytest.raises(NotFoundError) as e:
        history(tmp_path, "proj", "agnet")
    assert "stored as run" not in str(e.value) and "run-7" in str(e.value)
