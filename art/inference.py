"""The OpenAI client a model's rollouts call: `model.openai_client()`.

`openai` is an optional dependency (`pip install 'art-duckdb[openai]'`): the store itself
never needs it, and `import art` must not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from art.errors import ArtError

if TYPE_CHECKING:
    from art.model import Model


class MissingExtraError(ArtError, ImportError):
    """An optional feature was used without installing the extra that provides it."""


class NoInferenceEndpointError(ArtError, ValueError):
    """`openai_client()` on a model that has no inference endpoint yet."""


def openai_client(model: Model) -> Any:
    """An `openai.AsyncOpenAI` for the model's `inference_base_url` and `inference_api_key`."""
    if model.inference_api_key is None or model.inference_base_url is None:
        if model.trainable:
            raise NoInferenceEndpointError(
                "OpenAI client not yet available on this trainable model: call "
                "`await model.register(backend)` with a backend that serves inference, "
                "or set `model.inference_base_url` and `model.inference_api_key`."
            )
        raise NoInferenceEndpointError(
            "In order to create an OpenAI client you must provide an `inference_api_key` and "
            "`inference_base_url`."
        )
    try:
        from openai import AsyncOpenAI
    except ImportError as e:
        raise MissingExtraError(
            "model.openai_client() needs the `openai` package: pip install 'art-duckdb[openai]'"
        ) from e
    return AsyncOpenAI(base_url=model.inference_base_url, api_key=model.inference_api_key)
