"""ART's `trajectory_group_batches`: groups rolled out ahead, handed over a batch at a time.

Up to `batch_size * max_concurrent_batches` groups run at once; each batch is the first
`batch_size` groups to finish (the last batch may be shorter), so training on one batch
overlaps the rollouts of the next. Each batch has its own bar (finished groups of
`batch_size`, with the metric means of `gather_trajectory_groups`) and its own exception
allowance (`max_batch_exceptions`: a count, or a fraction of `batch_size` when between 0
and 1); a group that fails within it is dropped, one too many raises (openpipe-art 0.5.23
resets the allowance to 0 after the first batch, so a later batch's first failure raises).
`skip_batches` resumes a run: the first `batch_size * skip_batches` groups are never
started. Unlike ART, the rollouts still running when the loop stops (a `break`, an error) are cancelled,
and rollouts never started are closed (no "coroutine was never awaited" warnings).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass

from art.gather import GatherContext, ProgressBar, _context, _one_group
from art.trajectories import TrajectoryGroup, close_unstarted
from art.utils.iterate_dataset import whole_number


class _BatchBar(ProgressBar):
    """A batch's bar: it counts finished groups (the batch loop advances it); each finished
    rollout only refreshes the metric means."""

    def update(self, n: int, postfix: dict[str, float]) -> None:
        super().update(0, postfix)

    def groups_done(self, n: int) -> None:
        self._bar.advance(n)


@dataclass
class _BatchContext(GatherContext):
    """A fraction allowance is of `batch_size`, also while no bar is shown: between two
    batches, while the loop body trains, the rollouts of the next one still fail."""

    batch_size: int = 1

    def too_many_exceptions(self) -> bool:
        count = self.sums["exceptions"]
        if 0 < self.max_exceptions < 1:
            return count / self.batch_size > self.max_exceptions
        return count > self.max_exceptions


async def trajectory_group_batches(
    groups: Iterable[Awaitable[TrajectoryGroup]],
    *,
    batch_size: int,
    max_batch_exceptions: int | float = 0,
    max_concurrent_batches: int = 4,
    skip_batches: int = 0,
    pbar_desc: str | None = "batches",
    pbar_total_completion_tokens: bool = False,
) -> AsyncIterator[list[TrajectoryGroup]]:
    """Yield lists of `batch_size` finished groups (see the module's docstring)."""
    batch_size = whole_number("batch_size", batch_size, 1)
    max_concurrent_batches = whole_number("max_concurrent_batches", max_concurrent_batches, 1)
    skip_batches = whole_number("skip_batches", skip_batches, 0)
    if pbar_total_completion_tokens:
        print("pbar_total_completion_tokens is deprecated and will be removed in a future version.")
    given = list(groups)
    for skipped in given[: batch_size * skip_batches]:
        close_unstarted(skipped)
    unstarted = given[batch_size * skip_batches :]
    unstarted.reverse()  # popped from the end, in the order given
    ctx = _BatchContext(max_exceptions=max_batch_exceptions, batch_size=batch_size)

    def task_context() -> contextvars.Context:
        """The caller's context as it is now (as a task's own would be: a variable the loop
        body set since is seen by the rollouts started after), with `ctx` set in it only:
        the caller's own stays as it was while the loop body runs."""
        context = contextvars.copy_context()
        context.run(_context.set, ctx)
        return context

    pending: set[asyncio.Task[TrajectoryGroup | None]] = set()
    batch: list[TrajectoryGroup] = []
    try:
        while unstarted or pending or batch:
            if ctx.bar is None:
                ctx.bar = _BatchBar(pbar_desc, batch_size)
            while unstarted and len(pending) < batch_size * max_concurrent_batches:
                pending.add(asyncio.create_task(_one_group(ctx, unstarted.pop()), context=task_context()))
            if pending and len(batch) < batch_size:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                assert isinstance(ctx.bar, _BatchBar)
                ctx.bar.groups_done(len(done))
                failed = [t.exception() for t in done if t.exception() is not None]
                if failed:  # more exceptions than this batch allows
                    raise failed[0]
                batch.extend(g for t in done if (g := t.result()) is not None)
            if len(batch) >= batch_size or (batch and not pending and not unstarted):
                ctx.bar.close()
                ctx.bar = None
                ctx.sums.clear()
                ctx.divisors.clear()
                ready, batch = batch[:batch_size], batch[batch_size:]
                yield ready
    finally:
        for awaitable in unstarted:
            close_unstarted(awaitable)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        if ctx.bar is not None:
            ctx.bar.close()
