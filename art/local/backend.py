"""LocalBackend: owns `PROJECT/models/NAME/checkpoints/NNNN/` under its path."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from art.backend import TrainConfig, Trainer
from art.errors import NoTrainerError
from art.store.confined import folder, open_dir, replace_file
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
    if not checkpoints.is_dir() or checkpoints.is_symlink():
        return []
    with folder(checkpoints, (), create=False) as dir_fd:
        return delete_checkpoints_at(dir_fd, checkpoints, steps_to_keep)


def delete_checkpoints_at(dir_fd: int, shown: Path, steps_to_keep: Iterable[int]) -> list[Path]:
    """`delete_checkpoints` in the checked folder `dir_fd`: links are never followed, at any depth
    (shutil.rmtree with dir_fd removes a link, never what it points to)."""
    keep = set(steps_to_keep)
    deleted = []
    with os.scandir(dir_fd) as entries:
        doomed = sorted(
            e.name
            for e in entries
            if e.name.isdigit() and e.is_dir(follow_symlinks=False) and int(e.name) not in keep
        )
    for name in doomed:
        shutil.rmtree(name, dir_fd=dir_fd)
        deleted.append(shown / name)
    return deleted


def _delete_in_store(paths: ModelPaths, steps_to_keep: list[int]) -> list[Path]:
    """Delete through checked folders: a link anywhere from base_path down is refused."""
    try:
        dir_fd = open_dir(paths.base_path, paths.parts("checkpoints"), create=False)
    except FileNotFoundError:
        return []
    try:
        return delete_checkpoints_at(dir_fd, paths.checkpoints, steps_to_keep)
    finally:
        os.close(dir_fd)


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
        doc = model.model_dump(mode="json")
        with folder(paths.base_path, paths.parts()) as dir_fd:
            replace_file(dir_fd, "model.json", json.dumps(doc, indent=2).encode(), paths.model_json)

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
        paths = self._paths(model)
        checkpoint_dir = paths.checkpoint_dir(step + 1)
        # the trainer writes here: make it a real folder inside the store, no link on the way
        os.close(open_dir(paths.base_path, paths.parts("checkpoints", checkpoint_dir.name)))
        async for metrics in self.trainer.train(model, trajectory_groups, checkpoint_dir, config):
            yield metrics

    async def _delete_checkpoint_files(self, model: TrainableModel, steps_to_keep: Iterable[int]) -> None:
        paths = self._paths(model)
        await asyncio.to_thread(_delete_in_store, paths, list(steps_to_keep))

    async def _prepare_backend_for_training(
        self, model: TrainableModel, config: Any = None
    ) -> tuple[str, str]:
        return ("", "")

    async def close(self) -> None:
        return None
