"""Trajectory and TrajectoryGroup: the data a rollout produces (ART's names and fields)."""

from __future__ import annotations

import copy
import math
import time
import traceback as _traceback
import warnings
from collections.abc import AsyncIterator, Awaitable, Generator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from art.errors import InvalidTrajectoryError

MetricValue = float | int | bool
# ART 0.5.23 takes any value; we take any JSON value, so it comes back from the store as given.
MetadataValue = Any


class NanRewardWarning(UserWarning):
    """A trajectory's reward is NaN: stored as NaN (as ART stores it), left out of every mean."""


# validation context key of a trajectory read back from a file: its NaN reward warned when
# it was logged, so it is read back quietly (without touching the process's warning
# filters: that reset Python's once-per-place memory of every warning, and is not
# thread-safe)
STORED = "art.stored"


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


def _check_json(field: str, value: Any) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidTrajectoryError(field, value, "metadata numbers must be finite (JSON has no NaN)")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(f"{field}[{i}]", item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidTrajectoryError(field, key, "nested metadata keys must be strings")
            _check_json(f"{field}[{key!r}]", item)
        return
    raise InvalidTrajectoryError(
        field,
        value,
        "metadata values must be JSON values (str, number, bool, None, list, dict), "
        f"not {type(value).__name__}",
    )


def check_metadata(field: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata values are JSON values, so they round-trip through parquet unchanged."""
    for key, value in metadata.items():
        _check_key(field, key)
        _check_json(f"{field}[{key!r}]", value)
    return metadata


def check_messages(field: str, value: Any) -> list[Any]:
    """A transcript: chat message dicts (with a role) and choices (OpenAI `Choice` objects,
    or dicts with a `message`), as a list."""
    if not isinstance(value, list | tuple):
        raise InvalidTrajectoryError(field, value, "expected a list of messages and choices")
    for i, item in enumerate(value):
        if isinstance(item, dict):
            if "role" not in item and "message" not in item:
                raise InvalidTrajectoryError(
                    f"{field}[{i}]", item, "a message needs a 'role'; a choice needs a 'message'"
                )
        elif not hasattr(item, "model_dump"):
            raise InvalidTrajectoryError(
                f"{field}[{i}]", item, "expected a chat message dict or an OpenAI Choice"
            )
    return list(value)


def refuse_unknown_fields(cls: type[BaseModel], data: Any) -> Any:
    """A keyword the model does not have is an error naming it (pydantic would drop it
    silently: `Trajectory(rewrad=1.0)` would log a reward of 0). A subclass that sets
    pydantic's `extra` itself gets what it chose."""
    if isinstance(data, dict) and cls.model_config.get("extra") is None:
        for name in data:
            if name not in cls.model_fields:
                what = cls.__name__
                reason = f"{what} has no such field ({', '.join(cls.model_fields)})"
                raise InvalidTrajectoryError(f"{what}.{name}", data[name], reason)
    return data


class KnownFields(BaseModel):
    """Refuses keys the model does not have: as keywords, in `model_validate`'s dict and in
    `model_copy(update=...)` (which pydantic does not validate: a misspelt key was set
    beside the fields)."""

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        return refuse_unknown_fields(cls, data)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        if update:
            refuse_unknown_fields(type(self), dict(update))
        return super().model_copy(update=update, deep=deep)


class History(KnownFields):
    """A transcript beside a trajectory's own (ART's `additional_histories`: a sub-agent's
    or a judge's conversation, say), with the tools it had; stored with the trajectory."""

    model_config = ConfigDict(arbitrary_types_allowed=True, validate_assignment=True)

    messages_and_choices: list[Any] = Field(default_factory=list)
    tools: list[Any] | None = None

    @field_validator("messages_and_choices", mode="before")
    @classmethod
    def _messages(cls, value: Any) -> Any:
        return check_messages("messages_and_choices", value)

    def messages(self) -> list[dict[str, Any]]:
        """Its chat messages for a request (`get_messages`)."""
        return get_messages(self.messages_and_choices)


LegacyHistory = History  # ART 0.5.23's name for it


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


class Trajectory(KnownFields):
    """One rollout: chat messages and model choices, a reward, metrics and metadata.

    A choice is an OpenAI `Choice` object or a dict with a `message` key; both are kept as
    given so they come back from the store unchanged. As in ART, every field has a default
    and rollouts fill the trajectory in as they go (`traj.reward = r`).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, validate_assignment=True)

    messages_and_choices: list[Any] = Field(default_factory=list)
    reward: float = 0.0
    # ART's: the policy (checkpoint step) the rollout began and ended with, when known
    initial_policy_version: int | None = None
    final_policy_version: int | None = None
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    tools: list[Any] | None = None
    additional_histories: list[History] = Field(default_factory=list)
    logs: list[str] = Field(default_factory=list)
    # when the rollout began (ART's field, for finish()); never stored
    start_time: datetime = Field(default_factory=lambda: datetime.now(UTC), exclude=True)

    @field_validator("start_time")
    @classmethod
    def _start_time(cls, value: datetime) -> datetime:
        """In UTC, as ART keeps it: a naive time is taken as UTC, so finish() can subtract it
        from now (it raised TypeError)."""
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

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
    def _reward(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidTrajectoryError("reward", value, "the reward must be a number")
        if math.isnan(value):
            if not (info.context or {}).get(STORED):
                warnings.warn(
                    "a trajectory's reward is NaN: it is stored, but left out of every history mean",
                    NanRewardWarning,
                    stacklevel=2,
                )
        elif not math.isfinite(value):
            raise InvalidTrajectoryError("reward", value, "the reward must be finite or NaN")
        return float(value)

    @field_validator("messages_and_choices", mode="before")
    @classmethod
    def _messages(cls, value: Any) -> Any:
        return check_messages("messages_and_choices", value)

    def log(self, message: str) -> None:
        self.logs.append(message)

    def __eq__(self, other: object) -> bool:
        """Equal when every stored field is: `start_time` (when this object was made) is not
        part of the rollout, so a trajectory read back from the store equals the one logged."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        if type(self) is not type(other):
            return False
        mine, theirs = _compared(self), _compared(other)
        # a NaN reward equals a NaN reward (a copy's, or the one read back from the store)
        if math.isnan(mine["reward"]) and math.isnan(theirs["reward"]):
            mine["reward"] = theirs["reward"]
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic's models

    def finish(self) -> Trajectory:
        """ART's: the seconds since `start_time` as the `duration` metric; returns itself."""
        self.metrics["duration"] = (datetime.now(UTC) - self.start_time).total_seconds()
        return self

    @asynccontextmanager
    async def track_duration(self, metric_name: str) -> AsyncIterator[None]:
        """ART's: the seconds spent inside the block, added to the `{metric_name}_duration`
        metric (so a block run in a loop sums)."""
        started = time.monotonic()
        try:
            yield
        finally:
            key = f"{metric_name}_duration"
            self.metrics[key] = self.metrics.get(key, 0.0) + (time.monotonic() - started)

    def messages(self) -> list[dict[str, Any]]:
        """The transcript as chat messages for a request, as ART gives them (`get_messages`:
        a choice becomes its assistant message, content None becomes "")."""
        return get_messages(self.messages_and_choices)


def _compared(trajectory: Trajectory) -> dict[str, Any]:
    """The fields that make a trajectory what it is, as a dict (compared as pydantic does, the
    same object equal to itself): all but `start_time`."""
    return {k: v for k, v in trajectory.__dict__.items() if k != "start_time"}


class TrajectoryGroup(KnownFields):
    """The trajectories sampled for one scenario, with the rollouts that raised instead."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    trajectories: list[Trajectory]
    exceptions: list[ExceptionRecord] = Field(default_factory=list)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    logs: list[str] = Field(default_factory=list)

    def __new__(cls, trajectories: Iterable[Any] = (), *args: Any, **kwargs: Any) -> Any:
        """From rollout awaitables (coroutines), a pending group that `await` or
        `art.gather_trajectory_groups` completes, as in ART; otherwise a group."""
        items = list(trajectories) if not isinstance(trajectories, list) else trajectories
        if any(isinstance(i, Awaitable) for i in items):
            if not all(isinstance(i, Awaitable) for i in items):
                raise InvalidTrajectoryError(
                    "trajectories", "mixed", "cannot mix trajectories and awaitables in one group"
                )
            return PendingGroup(cls, items, args, kwargs)
        self = super().__new__(cls)
        self.__dict__["_items"] = items
        return self

    def __init__(
        self,
        trajectories: Iterable[Trajectory | BaseException] = (),
        exceptions: Iterable[BaseException | ExceptionRecord | dict[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        trajectories = self.__dict__.pop("_items", trajectories)
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

    def log(self, message: str) -> None:
        self.logs.append(message)

    def __iter__(self):  # type: ignore[override]
        return iter(self.trajectories)

    def __len__(self) -> int:
        return len(self.trajectories)


class PendingGroup:
    """A TrajectoryGroup still being rolled out: awaiting it runs the rollouts concurrently.

    A rollout that raises is kept as the group's exception (ART's behaviour); inside
    `gather_trajectory_groups` each finished trajectory also updates the progress bar.
    """

    def __init__(self, cls: type[TrajectoryGroup], awaitables: list[Any], args: tuple, kwargs: dict) -> None:
        self._cls = cls
        self._awaitables = awaitables
        self._args = args
        self._kwargs = kwargs
        self._num_trajectories = len(awaitables)

    async def _run(self) -> TrajectoryGroup:
        """Trajectories in the order given (ART keeps finishing order; any order is one it
        could produce); exceptions raise once more than the gather's `max_exceptions` (none
        outside a gather) have been seen, as in ART."""
        import asyncio

        from art.gather import record_trajectory

        async def one(awaitable: Any) -> Any:
            try:
                item = await awaitable
            except Exception as e:
                if record_trajectory(None, e):
                    raise
                return e
            t = item if isinstance(item, Trajectory) else Trajectory.model_validate(item)
            record_trajectory(t, None)
            return t

        try:
            results = await asyncio.gather(*(one(a) for a in self._awaitables))
        except BaseException:
            self.close()  # cancelled: rollouts that never began are closed, not left to warn
            raise
        return self._cls(results, *self._args, **self._kwargs)

    def close(self) -> None:
        """Close the rollouts that never began (a group dropped unawaited): Python would
        otherwise warn "coroutine ... was never awaited" for each."""
        for awaitable in self._awaitables:
            close_unstarted(awaitable)

    def __await__(self) -> Generator[Any, None, TrajectoryGroup]:
        return self._run().__await__()


def close_unstarted(awaitable: Any) -> None:
    """Close a coroutine (or each rollout of a pending group) that was never started."""
    import inspect

    coroutine = inspect.iscoroutine(awaitable)
    if isinstance(awaitable, PendingGroup) or (
        coroutine and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED
    ):
        awaitable.close()


def get_messages(messages_and_choices: Iterable[Any]) -> list[dict[str, Any]]:
    """ART's `get_messages`: chat messages for a request. A Choice becomes an assistant
    message (content "" when none, its tool calls as plain dicts); a message dict is
    copied, content None becoming ""; a choice given as a dict stands for its message."""
    out: list[dict[str, Any]] = []
    for item in messages_and_choices:
        if isinstance(item, dict) and ("role" in item or "message" not in item):
            message = copy.copy(item)
            if message.get("content") is None:
                message["content"] = ""
            out.append(message)
            continue
        reply = item["message"] if isinstance(item, dict) else item.message
        if not isinstance(reply, dict):
            reply = reply.model_dump(mode="json")
        message = {"role": "assistant", "content": reply.get("content") or ""}
        if reply.get("tool_calls"):
            message["tool_calls"] = [dict(c) for c in reply["tool_calls"]]
        out.append(message)
    return out
