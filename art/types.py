"""ART's public type names for rollouts and training results (`art.types`).

The message types are aliases, as in ART: a message is an OpenAI chat message dict, a choice
an OpenAI `Choice` (or a dict with a `message` key); `openai` is not needed to import them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from art.backend import TrainConfig

Message = dict[str, Any]
Choice = Any  # openai.types.chat.chat_completion.Choice, when openai is installed
MessageOrChoice = Message | Choice
Messages = list[Message]
MessagesAndChoices = list[MessageOrChoice]
Tools = list[dict[str, Any]]


@dataclass
class TrainResult:
    """What `backend.train()` returns: the step after training and its averaged metrics."""

    step: int
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class LocalTrainResult(TrainResult):
    """A LocalBackend's result: also the new checkpoint's directory (None when not saved)."""

    checkpoint_path: str | None = None
    checkpoint_ready: Awaitable[None] | None = field(default=None, repr=False, compare=False)


__all__ = [
    "LocalTrainResult",
    "Message",
    "MessageOrChoice",
    "Messages",
    "MessagesAndChoices",
    "Tools",
    "TrainConfig",
    "TrainResult",
]
