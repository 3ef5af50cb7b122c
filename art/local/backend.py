"""LocalBackend: owns `PROJECT/models/NAME/checkpoints/NNNN/` under its path."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import time
import warnings
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from art.backend import TrainConfig, Trainer
from art.errors import InvalidArgumentError, NoTrainerError
from art.store.confined import folder, open_dir, replace_file
from art.store.paths import ModelPaths, is_step_name
from art.types import LocalTrainResult

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
        if is_step_name(p.name) and p.is_dir() and not p.is_symlink()
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
            if is_step_name(e.name) and e.is_dir(follow_symlinks=False) and int(e.name) not in keep
        )
    for name in doomed:
        shutil.rmtree(name, dir_fd=dir_fd)
        deleted.append(shown / name)
    return deleted


def trainer_from_env() -> Trainer | None:
    """`ART_LOCAL_TRAINER=module:factory`: the trainer an unchanged ART script's
    `LocalBackend()` trains with (ART's own trains with Unsloth on a GPU)."""
    spec = os.environ.get("ART_LOCAL_TRAINER")
    if not spec:
        return None
    module, sep, attr = spec.partition(":")
    if not sep or not module or not attr:
        raise InvalidArgumentError("ART_LOCAL_TRAINER", spec, "expected 'module:factory'")
    return getattr(importlib.import_module(module), attr)()


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
    """Checkpoints on local disk; training delegated to a `Trainer` (none: logging only).

    ART's LocalBackend also serves the model with vLLM; this one points trainable models at
    an OpenAI-compatible server you run (`inference_base_url`, or `ART_INFERENCE_BASE_URL`
    and `ART_INFERENCE_API_KEY`). ART's other constructor options are accepted and ignored.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        trainer: Trainer | None = None,
        *,
        inference_base_url: str | None = None,
        inference_api_key: str | None = None,
        in_process: bool = False,
        gpu_cost_per_hour_usd: float | None = None,
        enable_expert_replay: bool = True,
    ) -> None:
        self.path = Path(path if path is not None else ".art")
        self.trainer = trainer if trainer is not None else trainer_from_env()
        self.inference_base_url = inference_base_url or os.environ.get("ART_INFERENCE_BASE_URL")
        self.inference_api_key = inference_api_key or os.environ.get("ART_INFERENCE_API_KEY", "")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _paths(self, model: Model) -> ModelPaths:
        return ModelPaths.of(self.path, model.project, model._storage_name())

    def supports_automatic_train_step_metrics(self) -> bool:
        """As ART's LocalBackend: each new train step's log gets `time/step_wall_s`."""
        return True

    async def _checkpoint_steps(self, model: TrainableModel) -> list[int]:
        return checkpoint_steps(self._paths(model).checkpoints)

    async def register(self, model: Model) -> None:
        """Point the model at this backend's path and write `model.json` (ART does the same)."""
        model.base_path = str(self.path)
        paths = self._paths(model)
        doc = model.model_dump(mode="json")
        if model.trainable:
            doc["_internal_config"] = getattr(model, "_internal_config", None)
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
        # the trainer writes below here: a real folder inside the store, no link on the way
        # (the step's own folder is the trainer's to make, as ART's trainers do)
        os.close(open_dir(paths.base_path, paths.parts("checkpoints")))
        async for metrics in self.trainer.train(model, trajectory_groups, checkpoint_dir, config):
            yield metrics

    async def _delete_checkpoint_files(self, model: TrainableModel, steps_to_keep: Iterable[int]) -> None:
        paths = self._paths(model)
        await asyncio.to_thread(_delete_in_store, paths, list(steps_to_keep))

    async def _prepare_backend_for_training(
        self, model: TrainableModel, config: Any = None
    ) -> tuple[str, str]:
        return (self.inference_base_url or "", self.inference_api_key or "")

    async def train(
        self,
        model: TrainableModel,
        trajectory_groups: Iterable[TrajectoryGroup],
        *,
        learning_rate: float = 5e-6,
        save_checkpoint: bool = True,
        verbose: bool = False,
        **options: Any,
    ) -> LocalTrainResult:
        """ART 0.5.x: train one step and return its step and averaged metrics; logs nothing
        (call `model.log(groups, metrics=result.metrics, step=result.step)` yourself).

        The other keyword options of ART's `train()` (loss_fn, kl_penalty_coef, ...) are
        passed to the trainer in `TrainConfig`; what a trainer does with them is its own.
        """
        from art.training_metrics import training_metrics

        groups = list(trajectory_groups)
        config = TrainConfig(learning_rate=learning_rate, **options)
        started = time.monotonic()
        samples = [m async for m in self._train_model(model, groups, config, {}, verbose)]
        metrics = training_metrics(samples, groups, time.monotonic() - started)
        step = await self._get_step(model)
        path = self._paths(model).checkpoint_dir(step)
        return LocalTrainResult(
            step=step,
            metrics=metrics,
            checkpoint_path=str(path) if save_checkpoint and path.is_dir() else None,
        )

    async def _experimental_push_to_s3(
        self,
        model: Model,
        *,
        s3_bucket: str | None = None,
        prefix: str | None = None,
        verbose: bool = False,
        delete: bool = False,
    ) -> None:
        """Upload the model's folder to `s3://BUCKET/[PREFIX/]PROJECT/models/NAME/` (as ART)."""
        from art import s3_sync

        bucket = s3_sync.bucket_or_default(s3_bucket)
        key = s3_sync.model_key(model.project, model._storage_name(), prefix)
        paths = self._paths(model)
        await asyncio.to_thread(s3_sync.push, paths.model_dir, bucket, key, delete=delete, verbose=verbose)

    async def _experimental_pull_from_s3(
        self,
        model: Model,
        *,
        s3_bucket: str | None = None,
        prefix: str | None = None,
        verbose: bool = False,
        delete: bool = False,
        only_step: int | Literal["latest"] | None = None,
        step: int | None = None,
        exclude: list[str] | None = None,
        latest_only: bool = False,
    ) -> None:
        """Download the model's folder (or one checkpoint: `only_step`) from S3 (as ART)."""
        from art import s3_sync

        warnings.warn(
            "_experimental_pull_from_s3 is deprecated in ART 0.5.23 "
            "(use _experimental_pull_model_checkpoint)",
            DeprecationWarning,
            stacklevel=2,
        )
        bucket = s3_sync.bucket_or_default(s3_bucket)
        name = model._storage_name()
        if only_step is None and latest_only:
            only_step = "latest"
        if only_step is not None and step is None:
            if only_step == "latest":
                step = await asyncio.to_thread(
                    s3_sync.latest_remote_step, bucket, s3_sync.model_key(model.project, name, prefix)
                )
                if step is None:
                    if verbose:
                        print("No checkpoints found in S3")
                    return
            else:
                step = only_step
        paths = self._paths(model)
        local = paths.checkpoint_dir(step) if step is not None else paths.model_dir
        paths.check_inside(local)
        key = s3_sync.model_key(model.project, name, prefix, step)
        await asyncio.to_thread(
            s3_sync.pull, bucket, key, local, delete=delete, exclude=exclude, verbose=verbose
        )

    async def close(self) -> None:
        return None
