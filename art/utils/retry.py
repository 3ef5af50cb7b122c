"""`art.retry`, `art.utils.retry`: ART's retry decorator (exponential backoff, sync or async)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("art")


def retry(
    max_attempts: int = 3,
    delay: float = 0.25,
    backoff_factor: float = 2.0,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    on_retry: Callable[[Exception, int], None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Retry the decorated function on `exceptions`, waiting `delay * backoff_factor**n`;
    the last attempt's exception propagates. `on_retry(exc, attempt)` replaces the warning."""

    def report(func: Callable[..., Any], e: Exception, attempt: int) -> None:
        if on_retry is not None:
            on_retry(e, attempt)
        else:
            log.warning("Retry %d/%d for %s after error: %s", attempt, max_attempts, func.__name__, e)

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                wait = delay
                for attempt in range(1, max_attempts + 1):
                    try:
                        return await func(*args, **kwargs)
                    except exceptions as e:
                        if attempt >= max_attempts:
                            raise
                        report(func, e, attempt)
                        await asyncio.sleep(wait)
                        wait *= backoff_factor
                raise AssertionError("unreachable")

            return async_wrapper

        @functools.wraps(func)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            wait = delay
            for attempt in range(1, max_attempts + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions as e:
                    if attempt >= max_attempts:
                        raise
                    report(func, e, attempt)
                    time.sleep(wait)
                    wait *= backoff_factor
            raise AssertionError("unreachable")

        return sync_wrapper

    return decorator
