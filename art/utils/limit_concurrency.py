"""ART's `limit_concurrency`: at most `n` calls of an async function run at once."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from art.utils.iterate_dataset import whole_number

R = TypeVar("R")


def limit_concurrency(
    n: int, derive_key: Callable[..., str] | None = None
) -> Callable[[Callable[..., Awaitable[R]]], Callable[..., Awaitable[R]]]:
    """Decorate an async function so that at most `n` of its calls run at once, per key when
    `derive_key(*args, **kwargs)` is given (one limit per model, say), else in all."""
    n = whole_number("n", n, 1)

    def decorate(func: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
        limits: dict[Any, asyncio.Semaphore] = {}

        @functools.wraps(func)
        async def limited(*args: Any, **kwargs: Any) -> R:
            key = derive_key(*args, **kwargs) if derive_key is not None else None
            limit = limits.get(key)
            if limit is None:
                limit = limits[key] = asyncio.Semaphore(n)
            async with limit:
                return await func(*args, **kwargs)

        return limited

    return decorate
