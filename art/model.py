"""Model and TrainableModel: ART's user-facing classes, thin over the store and the backend."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from art.backend import Backend, TrainConfig
from art.errors import (
    InvalidArgumentError,
    InvalidTrajectoryError,
    MetricNotFoundError,
    MissingMetricWarning,
    NotRegisteredError,
)
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
    run_id: str | None = None
    # The OpenAI-compatible endpoint rollouts call (`openai_client()`); for a TrainableModel
    # the backend fills these in on register when it serves one.
    # A credential: never written to model.json (nor shown in a repr).
    inference_api_key: str | None = Field(default=None, exclude=True, repr=False)
    inference_base_url: str | None = None
    inference_model_name: str | None = None
    base_path: str = ".art"
    report_metrics: list[str] | None = None
    # Where trajectories and history go: LocalStore(base_path) unless a store is given (a
    # DuckLakeStore sends them to a lake; checkpoints stay with the backend). Not part of
    # model.json: a lake's settings hold credentials.
    store: Any = Field(default=None, exclude=True)

    _backend: Backend | None = PrivateAttr(default=None)
    _mirror: Any = PrivateAttr(default=None)
    _openai_client: Any = PrivateAttr(default=None)
    _last_train_log: tuple[int | None, float] = PrivateAttr(default_factory=lambda: (None, time.monotonic()))

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

    def _storage_name(self) -> str:
        """The model's directory name: `name`, or a TrainableModel's `run_name` (ART 0.5.21+)."""
        return self.name

    @property
    def paths(self) -> ModelPaths:
        return ModelPaths.of(self.base_path, self.project, self._storage_name())

    def openai_client(self) -> Any:
        """An `openai.AsyncOpenAI` for this model's inference endpoint (made once, then reused)."""
        from art.inference import openai_client

        if self._openai_client is None:
            self._openai_client = openai_client(self)
        return self._openai_client

    def get_inference_name(self, step: int | None = None) -> str:
        """The model name sent to the endpoint; `name@step` for one checkpoint (ART's rule)."""
        namer = getattr(self._backend, "_model_inference_name", None)
        if namer is not None:
            return namer(self, step=step)
        base = self.inference_model_name or self.name
        return base if step is None else f"{base}@{step}"

    def _with_automatic_metrics(
        self, split: str, step: int, has_groups: bool, metrics: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """ART 0.5.23: a backend that asks for it gets `time/step_wall_s` on each new train step."""
        supports = getattr(self._backend, "supports_automatic_train_step_metrics", None)
        if split != "train" or not (has_groups or metrics is not None) or not callable(supports):
            return metrics
        if not supports() or self._last_train_log[0] == step:
            return metrics
        now = time.monotonic()
        wall = max(0.0, now - self._last_train_log[1])
        self._last_train_log = (step, now)
        if metrics is not None and "time/step_wall_s" in metrics:
            return metrics
        return {**(metrics or {}), "time/step_wall_s": wall}

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
        metrics = self._with_automatic_metrics(split, step, groups is not None, metrics)
        row = await asyncio.to_thread(
            self.store.log_step, self.project, self._storage_name(), groups, split, step, metrics
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
    """A model trained by a backend: `train()` logs, trains, and logs the training metrics.

    `run_name` (ART 0.5.21+) names the run's directory, `{base_path}/{project}/models/{run_name}`;
    `name` stays the inference alias. Scripts written before it existed may leave it out:
    it then defaults to `name`, which is where those ART versions put the files.
    """

    trainable: bool = True
    base_model: str
    run_name: str | None = None
    lora_config: Any = None
    # ART's unstable internal settings: kept and written to model.json, not interpreted.
    _internal_config: dict[str, Any] | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        internal = data.pop("_internal_config", None)
        super().__init__(**data)
        if self.run_name is None:
            self.run_name = self.name
        self._internal_config = internal

    @field_validator("run_name")
    @classmethod
    def _run_name(cls, value: str | None) -> str | None:
        return None if value is None else validate_name("run_name", value)

    def _storage_name(self) -> str:
        return self.run_name or self.name

    async def register(self, backend: Backend) -> None:
        """Register, then take the inference endpoint the backend serves (if it serves one)."""
        await super().register(backend)
        self._openai_client = None
        base_url, api_key = await backend._prepare_backend_for_training(self, None)
        if base_url:
            self.inference_base_url = base_url
            self.inference_api_key = api_key
            namer = getattr(backend, "_model_inference_name", None)
            self.inference_model_name = (namer(self) if namer else None) or self.name

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
        from art.training_metrics import average_metrics

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
            self._storage_name(),
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

        A metric that was never logged deletes nothing: it warns, as ART prints, and returns
        the steps that are all still kept, so ART's training loops go on.
        """
        from art.checkpoints import best_steps, steps_to_keep

        backend = self._require_backend()
        try:
            best = await asyncio.to_thread(
                best_steps,
                self.store,
                self.project,
                self._storage_name(),
                best_checkpoint_metric,
                window=smoothing_window,
                mode=mode,
                top_k=keep_top_k,
            )
        except MetricNotFoundError as e:
            return await self._keep_all(backend, best_checkpoint_metric, e)
        keep = steps_to_keep(await self.get_step(), best, keep_last_n)
        await backend._delete_checkpoint_files(self, keep)
        return keep

    async def _keep_all(self, backend: Backend, metric: str, why: MetricNotFoundError) -> list[int]:
        warnings.warn(
            f'No "{metric}" metric found in history: no checkpoint was deleted ({why})',
            MissingMetricWarning,
            stacklevel=3,
        )
        lister = getattr(backend, "_checkpoint_steps", None)
        return await lister(self) if lister is not None else [await self.get_step()]
