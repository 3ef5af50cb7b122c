"""The Backend protocol (ART's method names) and the Trainer plug-in a LocalBackend runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from art.model import Model, TrainableModel
    from art.trajectories import TrajectoryGroup


class TrainConfig(BaseModel):
    """Options for one training step; extra keys pass through to the trainer."""

    model_config = ConfigDict(extra="allow")

    learning_rate: float = 5e-6


@runtime_checkable
class Backend(Protocol):
    """What a model needs from a backend: register, train, report the step, delete checkpoints.

    The model decides which checkpoints to keep; the backend only deletes files.
    """

    async def register(self, model: Model) -> None: ...

    async def _get_step(self, model: TrainableModel) -> int: ...

    def _train_model(
        self,
        model: TrainableModel,
        trajectory_groups: list[TrajectoryGroup],
        config: TrainConfig,
        dev_config: dict[str, Any],
        verbose: bool = False,
    ) -> AsyncIterator[dict[str, float]]: ...

    async def _delete_checkpoint_files(self, model: TrainableModel, steps_to_keep: Iterable[int]) -> None: ...

    async def _prepare_backend_for_training(
        self, model: TrainableModel, config: Any = None
    ) -> tuple[str, str]: ...

    async def close(self) -> None: ...


@runtime_checkable
class Trainer(Protocol):
    """Trains one step: reads the groups, writes the new checkpoint into `checkpoint_dir`,
    and yields metric dicts (e.g. `{"loss": ..., "grad_norm": ...}`) as it goes."""

    def train(
        self,
        model: TrainableModel,
        groups: list[TrajectoryGroup],
        checkpoint_dir: Path,
        config: TrainConfig,
    ) -> AsyncIterator[dict[str, float]]: ...
