"""`art.dev`: the names of ART's training and serving options, so scripts that build them run.

In openpipe-art 0.5.23 these are dictionaries of options for Unsloth, vLLM and its trainer
(`TrainableModel(_internal_config=art.dev.InternalModelConfig(...))`,
`train(..., _config=art.dev.TrainConfig(...))`). Here they are dictionaries too: the model
keeps its `_internal_config` (written to `model.json` by `register`, as ART does) for a
plugged-in `Trainer` to read, and `_config` is accepted and, like ART's other GPU options,
not used by `LocalBackend`. No key is checked, as in ART at run time. `PeftArgs` raises as
ART's does: its options moved to `TrainableModel(lora_config=...)`.
"""

from __future__ import annotations

from typing import Literal, NoReturn, TypedDict

from art.errors import InvalidArgumentError

RolloutWeightUpdateMode = Literal["step_lora", "in_flight_lora"]


class InitArgs(TypedDict, total=False):
    """Options for loading the base model (Unsloth's `from_pretrained`, in ART)."""


class EngineArgs(TypedDict, total=False):
    """Options for the inference engine (vLLM's engine arguments, in ART)."""


class TrainerArgs(TypedDict, total=False):
    """Options for the trainer (TRL's training arguments, in ART)."""


class LoRAConfig(TypedDict, total=False):
    """A LoRA adapter's options (`TrainableModel(lora_config=...)`)."""


class InternalModelConfig(TypedDict, total=False):
    """A trainable model's training and serving options, by part."""

    init_args: InitArgs
    engine_args: EngineArgs
    trainer_args: TrainerArgs


class BackendModelConfig(InternalModelConfig, total=False):
    """InternalModelConfig with the LoRA options a backend was given."""

    lora_config: LoRAConfig


class TrainConfig(TypedDict, total=False):
    """Options of one training step beyond `art.TrainConfig` (the `_config` of `train()`)."""


class TrainSFTConfig(TypedDict, total=False):
    """Options of one supervised fine-tuning call."""


class OpenAIServerConfig(TypedDict, total=False):
    """Options of ART's own OpenAI-compatible server (its engine and server arguments)."""


class ServerArgs(TypedDict, total=False):
    """Arguments of that server beyond the engine's."""


def PeftArgs(*_: object, **__: object) -> NoReturn:
    """Gone in ART 0.5.x: its options are `TrainableModel(lora_config=...)`'s now."""
    raise InvalidArgumentError(
        "peft_args",
        "art.dev.PeftArgs(...)",
        "replaced by TrainableModel(lora_config=...) in ART 0.5.x; rename r -> rank, "
        "lora_alpha -> alpha, lora_dropout -> dropout, init_lora_weights -> init_weights",
    )


__all__ = [
    "BackendModelConfig",
    "EngineArgs",
    "InitArgs",
    "InternalModelConfig",
    "LoRAConfig",
    "OpenAIServerConfig",
    "PeftArgs",
    "RolloutWeightUpdateMode",
    "ServerArgs",
    "TrainConfig",
    "TrainSFTConfig",
    "TrainerArgs",
]
