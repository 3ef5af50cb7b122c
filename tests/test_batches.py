"""`trajectory_group_batches` as ART scripts use it: batches of finished groups, rollouts
started ahead but bounded, an exception allowance per batch, resume by skipping batches."""

from __future__ import annotations

import asyncio
import contextvars
import inspect

import pytest

import art
from art.errors import InvalidArgumentError

running = 0
peak = 0


async def rollout(reward: float, fail: bool = False) -> art.Trajectory:
    global running, peak
    running += 1
    peak = max(peak, running)
    try:
        await asyncio.sleep(0.001 * (reward % 5))
        if fail:
            raise RuntimeError(f"rollout {reward} failed")
        return art.Trajectory(reward=reward)
    finally:
        running -= 1


def groups(n: int, failing: set[int] = frozenset()) -> list[art.TrajectoryGroup]:
    return [art.TrajectoryGroup([rollout(float(i), i in failing)]) for i in range(n)]


async def collect(*args: object, **kwargs: object) -> list[list[float]]:
    """Each batch's rewards; a group whose rollout failed (and was tolerated) keeps the
    exception instead, as in ART, and shows as its message."""
    return [
        [g.trajectories[0].reward if g.trajectories else g.exceptions[0].message for g in batch]
        async for batch in art.trajectory_group_batches(*args, **kwargs)  # type: ignore[arg-type]
    ]


async def test_every_group_comes_once_in_batches_of_the_size_asked() -> None:
    global peak
    peak = 0
    got = await collect(groups(10), batch_size=4, max_concurrent_batches=1)
    assert [len(b) for b in got] == [4, 4, 2]
    assert sorted(r for b in got for r in b) == [float(i) for i in range(10)]
    assert peak <= 4  # batch_size * max_concurrent_batches rollouts at once


async def test_skip_batches_resumes_after_the_batches_already_trained() -> None:
    given = groups(10)
    got = await collect(given, batch_size=3, skip_batches=2)
    assert sorted(r for b in got for r in b) == [6.0, 7.0, 8.0, 9.0]


async def test_each_batch_tolerates_its_own_exceptions_and_one_more_raises() -> None:
    got = await collect(groups(8, {1, 6}), batch_size=3, max_batch_exceptions=1, max_concurrent_batches=1)
    assert [len(b) for b in got] == [3, 3, 2]
    assert sorted(r for b in got for r in b if isinstance(r, float)) == [0.0, 2.0, 3.0, 4.0, 5.0, 7.0]
    assert sorted(r for b in got for r in b if isinstance(r, str)) == [
        "rollout 1.0 failed",
        "rollout 6.0 failed",
    ]
    with pytest.raises(RuntimeError, match="failed"):
        await collect(groups(6, {0, 1}), batch_size=6, max_batch_exceptions=1)
    await asyncio.sleep(0.05)
    assert running == 0  # the other rollouts were cancelled, none left behind


async def test_a_loop_left_early_cancels_the_rollouts_started_ahead() -> None:
    """The rollouts started ahead are cancelled (not left to run on, as in ART) and those
    never started are closed: no "coroutine ... was never awaited" warning."""
    import gc
    import warnings

    started: list[int] = []
    cancelled: list[int] = []

    async def slow(i: int) -> art.Trajectory:
        started.append(i)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise
        return art.Trajectory(reward=float(i))

    rollouts = [slow(i) for i in range(2, 20)]
    given = groups(2) + [art.TrajectoryGroup([r]) for r in rollouts]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async for batch in art.trajectory_group_batches(given, batch_size=2, max_concurrent_batches=2):
            assert len(batch) == 2
            break
        await asyncio.sleep(0.05)
        gc.collect()
    assert 2 <= len(started) <= 4  # within batch_size * max_concurrent_batches, refilled
    assert sorted(cancelled) == started
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
    assert {inspect.getcoroutinestate(r) for r in rollouts} == {inspect.CORO_CLOSED}


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [("batch_size", {"batch_size": 0}), ("skip_batches", {"batch_size": 1, "skip_batches": -1})],
)
async def test_bad_arguments_name_the_field(field: str, kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidArgumentError, match=field):
        await collect([], **kwargs)


async def test_a_fraction_allowance_holds_while_the_loop_body_trains() -> None:
    """A rollout of the next batch failing while the body trains on this one is within
    `max_batch_exceptions=0.5` of a batch of 4 (no bar is shown then: it was refused)."""

    async def late_failure() -> art.Trajectory:
        await asyncio.sleep(0.05)
        raise RuntimeError("late")

    given = [art.TrajectoryGroup([rollout(float(i))]) for i in range(4)]
    given += [art.TrajectoryGroup([late_failure()])]
    given += [art.TrajectoryGroup([rollout(float(i))]) for i in range(5, 8)]
    sizes = []
    async for batch in art.trajectory_group_batches(given, batch_size=4, max_batch_exceptions=0.5):
        sizes.append(len(batch))
        await asyncio.sleep(0.2)  # training on the batch
    assert sizes == [4, 4]


step_var: contextvars.ContextVar[int] = contextvars.ContextVar("step_var", default=-1)


async def test_rollouts_see_the_context_the_loop_body_set_and_the_body_sees_no_gather() -> None:
    """As in ART, a rollout starts in the caller's context as it is then: a variable the body
    set for the next step reaches the rollouts started after it (they all saw the first
    step's). The batches' own bookkeeping never shows in the caller's context."""
    from art.gather import _context

    async def seen(i: int) -> art.Trajectory:
        return art.Trajectory(reward=float(i), metadata={"step": step_var.get()})

    step_var.set(0)
    steps = []
    given = [art.TrajectoryGroup([seen(i)]) for i in range(6)]
    async for batch in art.trajectory_group_batches(given, batch_size=2, max_concurrent_batches=1):
        assert _context.get() is None
        steps.append(sorted(g.trajectories[0].metadata["step"] for g in batch))
        step_var.set(step_var.get() + 1)
    assert steps == [[0, 0], [1, 1], [2, 2]]
