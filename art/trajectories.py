"""Trajectory and TrajectoryGroup: the data a rollout produces (ART's names and fields)."""

from __future__ import annotations

import math
import traceback as _traceback
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from art.errors import InvalidTrajectoryError

MetricValue = float | int | bool
MetadataValue = float | int | str | bool | None


def _check_key(field: str, key: object) -> None:
    if not isinstance(key, str) or not key:
        raise InvalidTrajectoryError(field, key, "keys must be non-empty strings")
    if any(ord(ch) < 32 for ch in key):
        raise InvalidTrajectoryError(field, key, "keys must not contain control characters")


def check_metrics(field: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """Metric values are numbers or bools; anything else cannot be averaged."""
    for key, value in metrics.items():
        _check_key(field, key)
        if isinstance(value, bool | int):
            continue
        if isinstance(value, float):
            continue
        raise InvalidTrajectoryError(f"{field}[{key!r}]", value, "metric values must be float, int or bool")
    return metrics


def check_metadata(field: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata values are JSON scalars, so they round-trip through parquet and SQL unchanged."""
    for key, value in metadata.items():
        _check_key(field, key)
        if value is None or isinstance(value, str | bool | int):
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidTrajectoryError(
                    f"{field}[{key!r}]", value, "metadata numbers must be finite (JSON has no NaN)"
                )
            continue
        raise InvalidTrajectoryError(
            f"{field}[{key!r}]",
            value,
            f"metadata values must be JSON scalars (str, int, float, bool, None), not {type(value).__name__}",
        )
    return metadata


class ExceptionRecord(BaseModel):
    """A rollout's exception as stored: its type, message and traceback text."""

    type: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> ExceptionRecord:
        return cls(
            type=str(type(exc)),
            message=str(exc),
            traceback="".join(_traceback.format_exception(type(exc), exc, exc.__traceback__)),
        )


class Trajectory(BaseModel):
    """One rollout: chat messages and model choices, a finite reward, metrics and metadata.

    A choice is an OpenAI `Choice` object or a dict with a `message` key; both are kept as
    given so they come back from the store unchanged.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages_and_choices: list[Any]
    reward: float
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    tools: list[Any] | None = None
    logs: list[str] = Field(default_factory=list)

    @field_validator("metrics", mode="before")
    @classmethod
    def _metrics(cls, value: Any) -> Any:
        return check_metrics("metrics", value) if isinstance(value, dict) else value

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        return check_metadata("metadata", value) if isinstance(value, dict) else value

    @field_validator("reward", mode="before")
    @classmethod
    def _reward(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidTrajectoryError("reward", value, "the reward must be a number")
        if not math.isfinite(value):
            raise InvalidTrajectoryError("reward", value, "the reward must be finite")
        return float(value)

    @field_validator("messages_and_choices", mode="before")
    @classmethod
    def _messages(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise InvalidTrajectoryError(
                "messages_and_choices", value, "expected a list of messages and choices"
            )
        for i, item in enumerate(value):
            if isinstance(item, dict):
                if "role" not in item and "message" not in item:
                    raise InvalidTrajectoryError(
                        f"messages_and_choices[{i}]",
                        item,
                        "a message needs a 'role'; a choice needs a 'message'",
                    )
            elif not hasattr(item, "model_dump"):
                raise InvalidTrajectoryError(
                    f"messages_and_choices[{i}]",
                    item,
                    "expected a chat message dict or an OpenAI Choice",
                )
        return list(value)

    def messages(self) -> list[dict[str, Any]]:
        """The transcript as plain chat messages (choices become their assistant message)."""
        out: list[dict[str, Any]] = []
        for item in self.messages_and_choices:
            if isinstance(item, dict):
                out.append(item["message"] if "message" in item and "role" not in item else item)
            else:
                out.append(item.message.model_dump(exclude_none=True))
        return out


class TrajectoryGroup(BaseModel):
    """The trajectories sampled for one scenario, with the rollouts that raised instead."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    trajectories: list[Trajectory]
    exceptions: list[ExceptionRecord] = Field(default_factory=list)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    logs: list[str] = Field(default_factory=list)

    def __init__(
        self,
        trajectories: Iterable[Trajectory | BaseException] = (),
        exceptions: Iterable[BaseException | ExceptionRecord | dict[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        trajs: list[Any] = []
        excs: list[Any] = []
        for item in trajectories:
            (excs if isinstance(item, BaseException) else trajs).append(item)
        for exc in exceptions:
            excs.append(exc)
        records = [ExceptionRecord.from_exception(e) if isinstance(e, BaseException) else e for e in excs]
        super().__init__(trajectories=trajs, exceptions=records, **kwargs)

    @field_validator("metrics", mode="before")
    @classmethod
    def _metrics(cls, value: Any) -> Any:
        return check_metrics("group.metrics", value) if isinstance(value, dict) else value

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        return check_metadata("group.metadata", value) if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _items(self) -> TrajectoryGroup:
        for i, t in enumerate(self.trajectories):
            if not isinstance(t, Trajectory):
                raise InvalidTrajectoryError(f"trajectories[{i}]", t, "expected a Trajectory or an exception")
        return self

    def __iter__(self):  # type: ignore[override]
        return iter(self.trajectories)

    def __len__(self) -> int:
        return len(self.trajectories)
