"""Model and TrainableModel: ART's user-facing classes, thin over the store and the backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from art.backend import Backend, TrainConfig
from art.errors import InvalidArgumentError, InvalidTrajectoryError, NotRegisteredError
from art.store.base import Store
from art.store.local import LocalStore
from art.store.paths import ModelPaths, validate_name
from art.trajectories import Trajectory, TrajectoryGroup


def as_groups(
    trajectories: Iterable[Any] | TrajectoryGroup | None,
) -> list[TrajectoryGroup] | None:
    """A list of groups as given; a flat list of trajectories and exceptions is one group."""
    if trajectories is None:
        return None
    if isinstance(trajectories, TrajectoryGroup):
        return [trajectories]
    items = list(trajectories)
    if all(isinstance(i, TrajectoryGroup) for i in items):
        return items
    if all(isinstance(i, Trajectory | BaseException) for i in items):
        return [TrajectoryGroup(items)]
    kinds = sorted({type(i).__name__ for i in items})
    raise InvalidTrajectoryError(
        "trajectories",
        kinds,
        "expected TrajectoryGroups, or a flat list of Trajectories and exceptions (not a mix)",
    )


class Model(BaseModel):
    """A model whose rollouts are logged: `await model.log(groups, split="val")`."""

    model_config = ConfigDict(validate_assignment=True, arbitrary_types_allowed=True)

    name: str
    project: str
    entity: str | None = None
    id: str | None = None
    config: Any = None
    trainable: bool = False
    base_path: str = ".art"
    report_metrics: list[str] | None = None
    # Where trajectories and history go: LocalStore(base_path) unless a store is given (a
    # DuckLakeStore sends them to a lake; checkpoints stay with the backend). Not part of
    # model.json: a lake's settings hold credentials.
    store: Any = Field(default=None, exclude=True)

    _backend: Backend | None = PrivateAttr(default=None)
    _mirror: Any = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validate_name("model", value)

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        return validate_name("project", value)

    @model_validator(mode="after")
    def _resolve_store(self) -> Model:
        """`store` is always a Store; the implicit LocalStore follows `base_path` when it moves."""
        store = self.store
        if store is None or (
            isinstance(store, LocalStore) and store.implicit and store != LocalStore(Path(self.base_path))
        ):
            object.__setattr__(self, "store", LocalStore(Path(self.base_path), implicit=True))
        elif not isinstance(store, Store):
            raise InvalidArgumentError("store", store, "must be a LocalStore or a DuckLakeStore")
        return self

    @property
    def paths(self) -> ModelPaths:
        return ModelPaths.of(self.base_path, self.project, self.name)

    async def register(self, backend: Backend) -> None:
        self._backend = backend
        await backend.register(self)

    async def get_step(self) -> int:
        """0 for a plain Model: every log lands at step 0 unless `step=` is given (as in ART)."""
        return 0

    async def log(
        self,
        trajectories: Iterable[Any] | TrajectoryGroup | None = None,
        split: str = "val",
        *,
        metrics: dict[str, Any] | None = None,
        step: int | None = None,
    ) -> dict[str, Any]:
        """Store the groups (one parquet file per split and step) and the step's metrics.

        Returns the history row written (metric keys only). A refused call writes nothing.
        """
        groups = as_groups(trajectories)
        if step is None:
            step = await self.get_step()
        row = await asyncio.to_thread(
            self.store.log_step, self.project, self.name, groups, split, step, metrics
        )
        if row:
            self._report(row, step)
        return row

    def _report(self, row: dict[str, Any], step: int) -> None:
        if self._mirror is None:
            from art.report.wandb import WandbMirror

            self._mirror = WandbMirror.for_model(self)
        self._mirror.log(row, step)

    async def close(self) -> None:
        """Finish the model's wandb run, if one was started (wandb also does so at exit)."""
        if self._mirror is not None:
            await asyncio.to_thread(self._mirror.finish)


class TrainableModel(Model):
    """A model trained by a backend: `train()` logs, trains, and logs the training metrics."""

    trainable: bool = True
    base_model: str

    def _require_backend(self) -> Backend:
        if self._backend is None:
            raise NotRegisteredError(
                f"model {self.name!r} has no backend. Call `await model.register(backend)` first."
            )
        return self._backend

    async def get_step(self) -> int:
        return await self._require_backend()._get_step(self)

    async def train(
        self,
        trajectory_groups: Iterable[TrajectoryGroup],
        config: TrainConfig | None = None,
        _config: dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> dict[str, float]:
        """Log the groups as train at step N, train, then log averaged `train/*` metrics at N+1."""
        backend = self._require_backend()
        groups = list(trajectory_groups)
        await self.log(groups, split="train")
        collected: list[dict[str, float]] = []
        async for metrics in backend._train_model(
            self, groups, config or TrainConfig(), _config or {}, verbose
        ):
            collected.append(metrics)
        if not collected:
            return {}
        averaged = average_metrics(collected)
        await self.log(split="train", metrics=averaged, step=await self.get_step())
        return averaged

    async def best_step(
        self, metric: str = "val/reward", *, smoothing_window: int = 1, mode: str = "max"
    ) -> tuple[int, float]:
        """The best step by `metric` and its smoothed value, without deleting anything."""
        from art.checkpoints import best_steps

        best = await asyncio.to_thread(
            best_steps,
            self.store,
            self.project,
            self.name,
            metric,
            window=smoothing_window,
            mode=mode,
        )
        return best[0].step, best[0].smoothed

    async def delete_checkpoints(
        self,
        best_checkpoint_metric: str = "val/reward",
        *,
        smoothing_window: int = 1,
        mode: str = "max",
        keep_top_k: int = 1,
        keep_last_n: int = 1,
    ) -> list[int]:
        """Keep the latest and the best checkpoints, delete the rest; returns the steps kept.

        A metric that was never logged raises MetricNotFoundError and deletes nothing.
        """
        from art.checkpoints import best_steps, steps_to_keep

        backend = self._require_backend()
        best = await asyncio.to_thread(
            best_steps,
            self.store,
            self.project,
            self.name,
            best_checkpoint_metric,
            window=smoothing_window,
            mode=mode,
            top_k=keep_top_k,
        )
        keep = steps_to_keep(await self.get_step(), best, keep_last_n)
        await backend._delete_checkpoint_files(self, keep)
        return keep


def average_metrics(dicts: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the dicts that carry it; `num_gradient_steps` is left out (as ART)."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            if k == "num_gradient_steps":
                continue
            sums[k] = sums.get(k, 0.0) + float(v)
            counts[k] = counts.get(k, 0) + 1
    return {k: sums[k] / counts[k] for k in sums}
