"""LocalBackend: owns `PROJECT/models/NAME/checkpoints/NNNN/` under its path."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from art.backend import TrainConfig, Trainer
from art.errors import NoTrainerError
from art.store.paths import ModelPaths

if TYPE_CHECKING:
    from art.model import Model, TrainableModel
    from art.trajectories import TrajectoryGroup


def _checkpoint_dirs(checkpoints: Path) -> list[tuple[int, Path]]:
    """All-digit directories directly under `checkpoints/`; symlinks are never checkpoints."""
    if not checkpoints.is_dir() or checkpoints.is_symlink():
        return []
    return sorted(
        (int(p.name), p)
        for p in checkpoints.iterdir()
        if p.name.isdigit() and p.is_dir() and not p.is_symlink()
    )


def checkpoint_steps(checkpoints: Path) -> list[int]:
    return [step for step, _ in _checkpoint_dirs(checkpoints)]


def delete_checkpoints(checkpoints: Path, steps_to_keep: Iterable[int]) -> list[Path]:
    """Remove every checkpoint directory whose step is not kept; files and other names stay."""
    keep = set(steps_to_keep)
    deleted = []
    for step, path in _checkpoint_dirs(checkpoints):
        if step not in keep:
            shutil.rmtree(path)
            deleted.append(path)
    return deleted


class LocalBackend:
    """Checkpoints on local disk; training delegated to a `Trainer` (none: logging only)."""

    def __init__(self, path: str | Path = ".art", trainer: Trainer | None = None) -> None:
        self.path = Path(path)
        self.trainer = trainer

    def _paths(self, model: Model) -> ModelPaths:
        return ModelPaths.of(self.path, model.project, model.name)

    async def register(self, model: Model) -> None:
        """Point the model at this backend's path and write `model.json` (ART does the same)."""
        model.base_path = str(self.path)
        paths = self._paths(model)
        paths.model_dir.mkdir(parents=True, exist_ok=True)
        doc = model.model_dump(mode="json")
        tmp = paths.model_json.with_name(".model.json.tmp")
        tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        tmp.replace(paths.model_json)

    async def _get_step(self, model: TrainableModel) -> int:
        steps = checkpoint_steps(self._paths(model).checkpoints)
        return steps[-1] if steps else 0

    async def _train_model(
        self,
        model: TrainableModel,
        trajectory_groups: list[TrajectoryGroup],
        config: TrainConfig,
        dev_config: dict[str, Any],
        verbose: bool = False,
    ) -> AsyncIterator[dict[str, float]]:
        if self.trainer is None:
            raise NoTrainerError(
                "this LocalBackend has no trainer: pass LocalBackend(trainer=...) to train; "
                "logging and checkpoint management work without one"
            )
        step = await self._get_step(model)
        checkpoint_dir = self._paths(model).checkpoint_dir(step + 1)
        async for metrics in self.trainer.train(model, trajectory_groups, checkpoint_dir, config):
            yield metrics

    async def _delete_checkpoint_files(self, model: TrainableModel, steps_to_keep: Iterable[int]) -> None:
        paths = self._paths(model)
        paths.check_inside(paths.checkpoints)
        await asyncio.to_thread(delete_checkpoints, paths.checkpoints, list(steps_to_keep))

    async def _prepare_backend_for_training(
        self, model: TrainableModel, config: Any = None
    ) -> tuple[str, str]:
        return ("", "")

    async def close(self) -> None:
        return None
