"""ART's rollout gatherers: await many rollouts at once behind a live progress bar.

`gather_trajectory_groups` and `gather_trajectories` keep ART 0.5.23's signatures and
semantics: rollouts run concurrently; an exception is counted and, while the count stays
within `max_exceptions` (a number, or a fraction of the total when between 0 and 1), the
failed group is dropped (or the exception is returned in place of the trajectories).
The bar shows the running mean reward, the mean of each trajectory metric and the
exception count; it is drawn only when stderr is a terminal.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from art.trajectories import Trajectory, TrajectoryGroup

AfterEach = Callable[[TrajectoryGroup], Awaitable[TrajectoryGroup | list[TrajectoryGroup] | None]]


class ProgressBar:
    """A gather's bar with ART's postfix (metric means): a row of the shared display
    (art/progress.py), drawn only on a terminal."""

    def __init__(self, desc: str | None, total: int) -> None:
        from art.progress import Bar

        self.total = total
        self.postfix = ""
        self._bar = Bar(desc or "", total)

    def update(self, n: int, postfix: dict[str, float]) -> None:
        self.postfix = ", ".join(f"{k}={v:.3g}" for k, v in postfix.items())
        self._bar.advance(n, self.postfix)

    def close(self) -> None:
        self._bar.close()


def record_completion_tokens(trajectory: Trajectory) -> None:
    """ART's `completion_tokens` metric: the sum over the trajectory's Choice objects, when
    every one of them carries a positive count (see art/inference.py)."""
    from art.inference import choice_completion_tokens

    choices = [m for m in trajectory.messages_and_choices if not isinstance(m, dict)]
    counts = [choice_completion_tokens(c) for c in choices]
    if choices and all(c is not None and c > 0 for c in counts):
        trajectory.metrics["completion_tokens"] = sum(c for c in counts if c is not None)


@dataclass
class GatherContext:
    """What one gather call has seen so far: metric sums, divisors and the exception count."""

    bar: ProgressBar | None = None
    max_exceptions: int | float = 0
    max_metrics: int | None = None
    sums: Counter[str] = field(default_factory=Counter)
    divisors: Counter[str] = field(default_factory=Counter)

    def record(self, trajectory: Trajectory) -> None:
        record_completion_tokens(trajectory)
        if trajectory.reward == trajectory.reward:  # NaN rewards stay out of the mean
            self.sums["reward"] += trajectory.reward
            self.divisors["reward"] += 1
        for key, value in trajectory.metrics.items():
            self.sums[key] += float(value)
            self.divisors[key] += 1

    def exception(self) -> None:
        self.sums["exceptions"] += 1

    def postfix(self) -> dict[str, float]:
        keys = list(self.sums)
        if self.max_metrics is not None:
            keys = keys[: self.max_metrics]
        out = {k: self.sums[k] / max(1, self.divisors[k]) for k in keys}
        if "completion_tokens" in out:  # last, as ART shows it
            out["completion_tokens"] = out.pop("completion_tokens")
        return out

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n, self.postfix())

    def too_many_exceptions(self) -> bool:
        count = self.sums["exceptions"]
        if 0 < self.max_exceptions < 1 and self.bar is not None and self.bar.total:
            return count / self.bar.total > self.max_exceptions
        return count > self.max_exceptions


_context: contextvars.ContextVar[GatherContext | None] = contextvars.ContextVar("art_gather", default=None)


def record_trajectory(trajectory: Trajectory | None, error: BaseException | None) -> bool:
    """Called by a pending TrajectoryGroup for each finished rollout; True when the error
    must propagate (outside a gather no exception is tolerated, as in ART)."""
    ctx = _context.get()
    if ctx is None:
        return error is not None
    if error is not None:
        ctx.exception()
        ctx.advance(0)
        return ctx.too_many_exceptions()
    if trajectory is not None:
        ctx.record(trajectory)
        ctx.advance(1)
    return False


async def _one_group(ctx: GatherContext, awaitable: Awaitable[TrajectoryGroup]) -> TrajectoryGroup | None:
    if hasattr(awaitable, "_num_trajectories"):  # a pending group reports each rollout itself
        return await awaitable
    try:
        group = await awaitable
    except Exception:
        ctx.exception()
        ctx.advance(0)
        if ctx.too_many_exceptions():
            raise
        return None
    for t in group:
        ctx.record(t)
    ctx.advance(len(group))
    return group


async def gather_trajectory_groups(
    groups: Iterable[Awaitable[TrajectoryGroup]],
    *,
    pbar_desc: str | None = "gather",
    pbar_total_completion_tokens: bool = False,
    max_exceptions: int | float = 0,
    max_metrics: int | None = None,
    after_each: AfterEach | None = None,
) -> list[TrajectoryGroup]:
    """Await every group; `after_each` may replace a finished group (by one, several or None)."""
    if pbar_total_completion_tokens:
        print("pbar_total_completion_tokens is deprecated and will be removed in a future version.")
    pending = list(groups)
    total = sum(getattr(g, "_num_trajectories", 1) for g in pending)
    ctx = GatherContext(max_exceptions=max_exceptions, max_metrics=max_metrics)

    async def forward(g: Awaitable[TrajectoryGroup]) -> Any:
        group = await _one_group(ctx, g)
        if group is None or after_each is None:
            return group
        return await after_each(group)

    token = _context.set(ctx)
    ctx.bar = ProgressBar(pbar_desc, total)
    try:
        results = await asyncio.gather(*(forward(g) for g in pending))
    finally:
        _context.reset(token)
        ctx.bar.close()
    out: list[TrajectoryGroup] = []
    for r in results:
        if isinstance(r, list):
            out.extend(r)
        elif isinstance(r, TrajectoryGroup):
            out.append(r)
    return out


async def gather_trajectories(
    trajectories: Iterable[Awaitable[Trajectory]] | Iterable[Awaitable[Iterable[Trajectory]]],
    *,
    pbar_desc: str | None = "gather",
    pbar_total_completion_tokens: bool = False,
    max_exceptions: int | float = 0,
) -> Sequence[Trajectory | list[Trajectory] | BaseException]:
    """Await every rollout; a tolerated exception is returned in its rollout's place."""
    if pbar_total_completion_tokens:
        print("pbar_total_completion_tokens is deprecated and will be removed in a future version.")
    pending = list(trajectories)
    ctx = GatherContext(max_exceptions=max_exceptions)

    async def one(a: Awaitable[Any]) -> Any:
        try:
            result = await a
        except Exception as e:
            ctx.exception()
            ctx.advance(0)
            if ctx.too_many_exceptions():
                raise
            return e
        if isinstance(result, Trajectory):
            ctx.record(result)
            ctx.advance(1)
            return result
        result = list(result)
        for t in result:
            ctx.record(t)
        ctx.advance(1)
        return result

    token = _context.set(ctx)
    ctx.bar = ProgressBar(pbar_desc, len(pending))
    try:
        return await asyncio.gather(*(one(a) for a in pending))
    finally:
        _context.reset(token)
        ctx.bar.close()
