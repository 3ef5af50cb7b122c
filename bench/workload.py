"""The same generated workload for this library and for openpipe-art (stdlib only, so the
peer's venv can import it): chat trajectories with tool calls and choices, trajectory and
group metrics, metadata, logs, tools, about 3% exceptions."""

from __future__ import annotations

import json
import random
from typing import Any

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "look up",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]


def _choice(content: str | None, tool_call: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "finish_reason": "tool_calls" if tool_call else "stop",
        "index": 0,
        "logprobs": None,
        "message": {
            "role": "assistant",
            "content": content,
            **({"tool_calls": [tool_call]} if tool_call else {}),
        },
    }


def group_specs(step: int, groups: int, per_group: int, seed: int = 0) -> list[dict[str, Any]]:
    """Plain-data groups for one step; `build` turns them into either library's objects."""
    rng = random.Random(seed * 1_000_003 + step)
    out = []
    for g in range(groups):
        equal = rng.random() < 0.15
        trajs, excs = [], []
        for k in range(per_group):
            if rng.random() < 0.03:
                excs.append(f"rollout {step}/{g}/{k} failed ü")
                continue
            call = {
                "id": f"c{k}",
                "type": "function",
                "function": {"name": "lookup", "arguments": json.dumps({"q": str(k)})},
            }
            messages = [
                {"role": "system", "content": "You are a careful agent."},
                {"role": "user", "content": f"Scenario {g}: what is {k}+{g}? 🙂 " + "context " * 20},
                _choice(None, call),
                {"role": "tool", "tool_call_id": f"c{k}", "content": "42"},
                _choice(f"The answer is {k + g}.", None),
            ]
            metrics: dict[str, Any] = {"correct": rng.random() < 0.6, "num_turns": rng.randint(1, 5)}
            if rng.random() < 0.7:
                metrics["latency_s"] = round(rng.random() * 3, 5)
            trajs.append(
                {
                    "messages_and_choices": messages,
                    "reward": 0.5 if equal else round(rng.uniform(-1, 1), 6),
                    "metrics": metrics,
                    "metadata": {
                        "scenario_id": f"s{step}-{g}",
                        "difficulty": rng.choice(["easy", "hard"]),
                        "k": k,
                    },
                    "tools": TOOLS if k % 2 == 0 else None,
                    "logs": [f"log {step}/{g}/{k}"] if k % 3 == 0 else [],
                }
            )
        out.append(
            {
                "trajectories": trajs,
                "exceptions": excs,
                "metadata": {"scenario_id": f"s{step}-{g}"},
                "metrics": {"judge_score": round(rng.random(), 4), "n_distinct_answers": rng.randint(1, 4)},
                "logs": [f"group {g}"] if g % 4 == 0 else [],
            }
        )
    return out


def build(specs: list[dict[str, Any]], art: Any, choice_cls: Any) -> list[Any]:
    """TrajectoryGroups of the given `art` module (ours or openpipe-art's)."""
    groups = []
    for spec in specs:
        trajs = []
        for t in spec["trajectories"]:
            items = [
                choice_cls.model_validate(m) if "finish_reason" in m else m for m in t["messages_and_choices"]
            ]
            kwargs = {k: v for k, v in t.items() if k != "messages_and_choices" and v is not None}
            trajs.append(art.Trajectory(messages_and_choices=items, **kwargs))
        excs = []
        for message in spec["exceptions"]:
            try:
                raise ValueError(message)
            except ValueError as e:
                excs.append(e)
        groups.append(
            art.TrajectoryGroup(
                trajs, exceptions=excs, metadata=spec["metadata"], metrics=spec["metrics"], logs=spec["logs"]
            )
        )
    return groups


async def feed(model: Any, art: Any, choice_cls: Any, steps: int, groups: int, per_group: int) -> None:
    """The cross-check's log sequence: train groups at each step, a train-metrics row at the
    next, val groups every second step. Runs against either library's Model."""
    for step in range(steps):
        await model.log(
            build(group_specs(step, groups, per_group), art, choice_cls), split="train", step=step
        )
        await model.log(split="train", step=step + 1, metrics={"loss": 1.0 / (step + 1)})
        if step % 2 == 0:
            val = build(group_specs(1000 + step, max(1, groups // 4), per_group), art, choice_cls)
            await model.log(val, split="val", step=step)
