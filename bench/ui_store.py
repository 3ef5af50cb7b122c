"""Stores for the dashboard's tests and benchmark, written through `Model.log` like a trainer.

`build_large` makes many runs, many steps and many metrics (history rows only, plus one
step with many trajectories); `build_showcase` makes two small runs whose trajectories hold
tool calls, exceptions, a hostile message and differing configs.
"""

from __future__ import annotations

import asyncio
import math
import random
from pathlib import Path

import art

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def step_metrics(rng: random.Random, step: int, metrics: int) -> dict[str, float]:
    trend = 1 - math.exp(-step / 200)
    names = [f"val/m{i:02d}" if i % 2 else f"train/m{i:02d}" for i in range(metrics - 1)]
    values = {name: trend * (1 + i / 10) + rng.gauss(0, 0.05) for i, name in enumerate(names)}
    values["val/reward"] = trend + rng.gauss(0, 0.1)
    return values


def trajectory(rng: random.Random, i: int) -> art.Trajectory:
    return art.Trajectory(
        messages_and_choices=[
            {"role": "system", "content": "You are a search agent."},
            {"role": "user", "content": f"Find item {i}."},
            {"message": {"role": "assistant", "content": f"Item {i} is here."}},
        ],
        reward=rng.random(),
        metrics={"turns": 1},
        metadata={"scenario": f"s{i % 8}"},
    )


async def build_large(
    base: Path,
    *,
    runs: int,
    steps: int,
    metrics: int,
    trajectories: int = 256,
    long_runs: int | None = None,
    short_steps: int = 20,
    trajectory_steps: int = 1,
    seed: int = 0,
) -> None:
    """`runs` runs in 4 projects with `metrics` metrics a step: the first `long_runs` (all by
    default) log `steps` steps, the others `short_steps`; the first run's last
    `trajectory_steps` steps also log `trajectories` trajectories each, in groups of 8."""
    rng = random.Random(seed)
    for r in range(runs):
        model = art.Model(name=f"run-{r:03d}", project=f"proj-{r % 4}", base_path=str(base),
                          config={"lr": 10 ** -(r % 3 + 4), "seed": r % 2})
        n = steps if long_runs is None or r < long_runs else short_steps
        for step in range(n):
            await model.log(None, "val", metrics=step_metrics(rng, step, metrics), step=step)
        for step in range(steps - trajectory_steps, steps) if r == 0 and trajectories else ():
            groups = [
                art.TrajectoryGroup([trajectory(rng, g * 8 + k) for k in range(8)])
                for g in range(trajectories // 8)
            ]
            await model.log(groups, "val", step=step)


async def build_showcase(base: Path, store: object = None) -> None:
    """Two runs: `agents/tools` (tool calls, an exception, a hostile message), `agents/plain`.

    On a local store both are registered TrainableModels with configs that differ; with a
    DuckLake `store`, plain Models logging to it."""
    tools, plain = (
        art.TrainableModel(name=name, project="agents", base_model="Qwen/Qwen2.5-7B",
                           base_path=str(base), config={"lr": lr, "turns": 4})
        if store is None else art.Model(name=name, project="agents", store=store)
        for name, lr in (("tools", 1e-5), ("plain", 1e-4))
    )
    if store is None:
        backend = art.LocalBackend(path=str(base))
        await tools.register(backend)
        await plain.register(backend)
    call = {"id": "call_1", "type": "function",
            "function": {"name": "search_inbox", "arguments": '{"query": "invoice", "limit": 3}'}}
    for step in range(6):
        good = art.Trajectory(
            messages_and_choices=[
                {"role": "system", "content": "Use the tools."},
                {"role": "user", "content": XSS},
                {"message": {"role": "assistant", "content": None, "tool_calls": [call]}},
                {"role": "tool", "tool_call_id": "call_1", "content": "3 invoices found"},
                {"message": {"role": "assistant", "content": "Found 3 invoices."}},
            ],
            reward=0.5 + step / 10, metrics={"tool_calls": 1}, metadata={"scenario": "inbox"},
            logs=["searched once"],
        )
        bad = art.Trajectory(
            messages_and_choices=[{"role": "user", "content": "hi"},
                                  {"message": {"role": "assistant", "content": "no idea"}}],
            reward=0.1, metadata={"scenario": "greeting"},
        )
        group = art.TrajectoryGroup([good, bad], exceptions=[TimeoutError("rollout timed out")])
        await tools.log([group], "val", step=step)
        await tools.log(None, "train", metrics={"loss": 1 / (step + 1)}, step=step)
    for step in range(6):
        await plain.log(None, "val", metrics={"reward": step / 10 + 0.2 * (step == 2)}, step=step)


if __name__ == "__main__":
    import sys

    asyncio.run(build_showcase(Path(sys.argv[1])))
