"""art: ART-compatible logging of agent rollouts into parquet, history.jsonl and a DuckDB catalog.

Public names are imported on first use, so `import art` stays fast and loads neither DuckDB,
pyarrow nor wandb.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Trajectory": "art.trajectories",
    "TrajectoryGroup": "art.trajectories",
    "Model": "art.model",
    "TrainableModel": "art.model",
    "Backend": "art.backend",
    "TrainConfig": "art.backend",
    "Trainer": "art.backend",
    "LocalBackend": "art.local.backend",
    "connect": "art.store.connect",
    "Store": "art.store.base",
    "LocalStore": "art.store.local",
    "DuckLakeStore": "art.store.lake",
    "S3Settings": "art.store.lake",
    "rebuild": "art.store.catalog",
    "gather_trajectories": "art.gather",
    "gather_trajectory_groups": "art.gather",
    "trajectory_group_batches": "art.batches",
    "retry": "art.utils.retry",
    "Messages": "art.types",
    "MessagesAndChoices": "art.types",
    "Tools": "art.types",
    "TrainResult": "art.types",
    "LocalTrainResult": "art.types",
}
# Submodules reachable as attributes, as `art.types`, `art.dev`, `art.utils` and
# `art.trajectories` are in ART.
_SUBMODULES = {"types", "dev", "utils", "trajectories"}

__all__ = [
    "Backend",
    "DuckLakeStore",
    "LocalBackend",
    "LocalStore",
    "LocalTrainResult",
    "Messages",
    "MessagesAndChoices",
    "Model",
    "S3Settings",
    "Store",
    "Tools",
    "TrainConfig",
    "TrainResult",
    "TrainableModel",
    "Trainer",
    "Trajectory",
    "TrajectoryGroup",
    "connect",
    "dev",
    "gather_trajectories",
    "gather_trajectory_groups",
    "rebuild",
    "retry",
    "trajectory_group_batches",
    "types",
    "utils",
]

if TYPE_CHECKING:
    from art import dev, types, utils
    from art.backend import Backend, TrainConfig, Trainer
    from art.batches import trajectory_group_batches
    from art.gather import gather_trajectories, gather_trajectory_groups
    from art.local.backend import LocalBackend
    from art.model import Model, TrainableModel
    from art.store.base import Store
    from art.store.catalog import rebuild
    from art.store.connect import connect
    from art.store.lake import DuckLakeStore, S3Settings
    from art.store.local import LocalStore
    from art.trajectories import Trajectory, TrajectoryGroup
    from art.types import LocalTrainResult, Messages, MessagesAndChoices, Tools, TrainResult
    from art.utils.retry import retry


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"art.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'art' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
