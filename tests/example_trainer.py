"""A CPU stand-in for ART's GPU trainer, for the example scripts' tests: it writes the next
checkpoint folder and yields loss-like metrics computed from the groups' rewards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any


class Trainer:
    async def train(self, model: Any, groups: list, checkpoint_dir: Path, config: Any) -> AsyncIterator[dict]:
        rewards = [t.reward for g in groups for t in g.trajectories]
        mean = sum(rewards) / len(rewards) if rewards else 0.0
        checkpoint_dir.mkdir(parents=True)
        (checkpoint_dir / "adapter_config.json").write_text(f'{{"learning_rate": {config.learning_rate}}}')
        for i in range(2):
            yield {"loss": 1.0 - mean + i * 0.1, "grad_norm": 0.5, "num_gradient_steps": 2}
