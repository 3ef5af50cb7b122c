"""The OpenAI client a model's rollouts call: `model.openai_client()`.

`openai` is an optional dependency (`pip install 'art-duckdb[openai]'`): the store itself
never needs it, and `import art` must not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from art.errors import ArtError, MissingExtraError

if TYPE_CHECKING:
    from art.model import Model


class NoInferenceEndpointError(ArtError, ValueError):
    """`openai_client()` on a model that has no inference endpoint yet."""


def openai_client(model: Model) -> Any:
    """An `openai.AsyncOpenAI` for the model's `inference_base_url` and `inference_api_key`
    (wrapped as ART wraps it: chat completions carry per-choice token counts)."""
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
        raise MissingExtraError("model.openai_client()", "the openai package", "openai") from e
    return _Client(AsyncOpenAI(base_url=model.inference_base_url, api_key=model.inference_api_key))


COMPLETION_TOKENS_KEY = "art_completion_tokens"


def attach_completion_tokens(response: Any) -> None:
    """As ART's client: each choice carries its completion token count (`art_completion_tokens`,
    an extra field) when the response's usage says it, so gathers can report
    `completion_tokens` per trajectory. A single choice gets the usage total; several get
    their logprob counts when those add up to it."""
    choices = getattr(response, "choices", None) or []
    total = getattr(getattr(response, "usage", None), "completion_tokens", None)
    if not choices or not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return
    if len(choices) == 1:
        counts = [total]
    else:
        counts = []
        for choice in choices:
            logprobs = choice.logprobs
            if logprobs is None or (logprobs.content is None and logprobs.refusal is None):
                return
            counts.append(len(logprobs.content or []) + len(logprobs.refusal or []))
        if sum(counts) != total:
            return
    for choice, count in zip(choices, counts, strict=True):
        if choice.model_extra is not None:
            choice.model_extra[COMPLETION_TOKENS_KEY] = count


def choice_completion_tokens(choice: Any) -> int | None:
    value = (getattr(choice, "model_extra", None) or {}).get(COMPLETION_TOKENS_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Completions:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def create(self, *args: Any, **kwargs: Any) -> Any:
        response = await self._inner.create(*args, **kwargs)
        if not kwargs.get("stream"):
            attach_completion_tokens(response)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Chat:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.completions = _Completions(inner.completions)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Client:
    """An `AsyncOpenAI` whose chat completions carry ART's per-choice token counts;
    everything else is the client itself."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.chat = _Chat(inner.chat)

    async def __aenter__(self) -> _Client:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._inner.__aexit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
