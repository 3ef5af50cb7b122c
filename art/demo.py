"""A real, small training run on the CPU: a softmax policy over answer strategies for
arithmetic prompts, trained with group-relative policy gradient, logged through this store.

The rewards are noisy on purpose (a flaky "judge"), so a smoothing window over the val
curve picks a steadier checkpoint than the single luckiest evaluation.
"""

from __future__ import annotations

import json
import math
import random
import shlex
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from art.backend import TrainConfig
from art.local.backend import LocalBackend
from art.model import TrainableModel
from art.store.paths import is_step_name
from art.trajectories import Trajectory, TrajectoryGroup

STRATEGIES = ("add", "subtract", "concatenate", "guess", "off_by_one")


def answer(strategy: str, a: int, b: int, rng: random.Random) -> int:
    if strategy == "add":
        return a + b
    if strategy == "subtract":
        return a - b
    if strategy == "concatenate":
        return int(f"{a}{b}")
    if strategy == "off_by_one":
        return a + b + rng.choice((-1, 1))
    return rng.randint(0, 2 * max(a, b))


def softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [e / total for e in exps]


def load_policy(checkpoint_dir: Path | None) -> list[float]:
    if checkpoint_dir is None or not (checkpoint_dir / "policy.json").exists():
        return [0.0] * len(STRATEGIES)
    return json.loads((checkpoint_dir / "policy.json").read_text())["logits"]


@dataclass
class PolicyGradientTrainer:
    """GRPO on a softmax policy: advantage = reward - group mean, one gradient step per train()."""

    learning_rate: float = 0.5

    async def train(
        self,
        model: TrainableModel,
        groups: list[TrajectoryGroup],
        checkpoint_dir: Path,
        config: TrainConfig,
    ) -> AsyncIterator[dict[str, float]]:
        previous = checkpoint_dir.with_name(f"{int(checkpoint_dir.name) - 1:04d}")
        logits = load_policy(previous if previous.exists() else None)
        probs = softmax(logits)
        grad = [0.0] * len(logits)
        n = 0
        loss = 0.0
        for group in groups:
            rewards = [t.reward for t in group.trajectories]
            if len(rewards) < 2:
                continue
            mean = sum(rewards) / len(rewards)
            for t in group.trajectories:
                k = STRATEGIES.index(str(t.metadata["strategy"]))
                advantage = t.reward - mean
                for i in range(len(logits)):
                    grad[i] += advantage * ((1.0 if i == k else 0.0) - probs[i])
                loss -= advantage * math.log(probs[k])
                n += 1
        if n:
            grad = [g / n for g in grad]
            loss /= n
        new_logits = [x + self.learning_rate * g for x, g in zip(logits, grad, strict=True)]
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        (checkpoint_dir / "policy.json").write_text(json.dumps({"logits": new_logits}))
        p = softmax(new_logits)
        yield {
            "loss": loss,
            "grad_norm": math.sqrt(sum(g * g for g in grad)),
            "entropy": -sum(x * math.log(x) for x in p if x > 0),
            "num_gradient_steps": 1,
        }


def rollout(logits: list[float], a: int, b: int, rng: random.Random, judge_noise: float) -> Trajectory:
    probs = softmax(logits)
    k = rng.choices(range(len(STRATEGIES)), weights=probs)[0]
    strategy = STRATEGIES[k]
    reply = answer(strategy, a, b, rng)
    correct = reply == a + b
    reward = (1.0 if correct else 0.0) + rng.gauss(0.0, judge_noise)
    return Trajectory(
        messages_and_choices=[
            {"role": "system", "content": "Answer with a number only."},
            {"role": "user", "content": f"What is {a} + {b}?"},
            {
                "finish_reason": "stop",
                "index": 0,
                "logprobs": None,
                "message": {"role": "assistant", "content": str(reply)},
            },
        ],
        reward=reward,
        metrics={"correct": correct, "p_add": probs[0]},
        metadata={"strategy": strategy, "a": a, "b": b},
    )


async def run_demo(
    base_path: str | Path = ".art",
    *,
    steps: int = 30,
    groups_per_step: int = 8,
    rollouts_per_group: int = 6,
    val_prompts: int = 12,
    smoothing_window: int = 3,
    judge_noise: float = 0.6,
    seed: int = 7,
    project: str = "demo",
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Train for `steps` steps, evaluate on val every step, then keep the best checkpoint.

    A model of the same name already in the store is continued from its latest checkpoint
    (`start_step` says where). `progress(done, total)` is called after each step."""
    import art

    rng = random.Random(seed)
    trainer = PolicyGradientTrainer()
    backend = LocalBackend(path=base_path, trainer=trainer)
    model = TrainableModel(
        name=name or f"arith-seed{seed}",
        project=project,
        base_model="softmax-5",
        report_metrics=[],
        config={
            "learning_rate": trainer.learning_rate,
            "groups_per_step": groups_per_step,
            "rollouts_per_group": rollouts_per_group,
            "val_prompts": val_prompts,
            "judge_noise": judge_noise,
            "seed": seed,
            "strategies": list(STRATEGIES),
        },
    )
    await model.register(backend)
    start_step = await model.get_step()
    val_set = [(rng.randint(1, 40), rng.randint(1, 40)) for _ in range(val_prompts)]
    val_curve: list[tuple[int, float]] = []
    for done in range(steps):
        if progress is not None:
            progress(done, steps)
        step = await model.get_step()
        logits = load_policy(model.paths.checkpoint_dir(step) if step else None)
        val = [
            TrajectoryGroup([rollout(logits, a, b, rng, judge_noise) for _ in range(2)]) for a, b in val_set
        ]
        row = await model.log(val, split="val", step=step)
        val_curve.append((step, row["val/reward"]))
        prompts = [(rng.randint(1, 40), rng.randint(1, 40)) for _ in range(groups_per_step)]
        train = [
            TrajectoryGroup(
                [rollout(logits, a, b, rng, judge_noise) for _ in range(rollouts_per_group)],
                metadata={"prompt": f"{a}+{b}"},
            )
            for a, b in prompts
        ]
        await model.train(train)
    if progress is not None:
        progress(steps, steps)
    final = await model.get_step()
    logits = load_policy(model.paths.checkpoint_dir(final))
    row = await model.log(
        [TrajectoryGroup([rollout(logits, a, b, rng, judge_noise) for _ in range(2)]) for a, b in val_set],
        split="val",
        step=final,
    )
    val_curve.append((final, row["val/reward"]))
    raw_best, raw_value = await model.best_step("val/reward")
    smooth_best, smooth_value = await model.best_step("val/reward", smoothing_window=smoothing_window)
    kept = await model.delete_checkpoints("val/reward", smoothing_window=smoothing_window)
    con = art.connect(base_path)
    by_step = con.execute(
        "SELECT step, round(avg(reward), 3) AS mean_reward, count(*) AS n FROM trajectories "
        "WHERE project = ? AND model = ? AND split = 'val' GROUP BY step ORDER BY step",
        [project, model.name],
    ).fetchall()
    strategies = con.execute(
        "SELECT metadata->>'strategy' AS strategy, count(*) AS n FROM trajectories "
        "WHERE project = ? AND model = ? AND split = 'train' AND step >= ? "
        "GROUP BY strategy ORDER BY n DESC",
        [project, model.name, max(0, final - 5)],
    ).fetchall()
    con.close()
    return {
        "model": model.name,
        "start_step": start_step,
        "final_step": final,
        "val_curve": val_curve,
        "best_raw": (raw_best, raw_value),
        "best_smoothed": (smooth_best, smooth_value),
        "smoothing_window": smoothing_window,
        "kept_checkpoints": kept,
        "remaining_checkpoints": sorted(
            int(p.name) for p in model.paths.checkpoints.iterdir() if is_step_name(p.name)
        ),
        "val_reward_by_step": by_step,
        "late_train_strategies": strategies,
        "final_policy": dict(zip(STRATEGIES, softmax(logits), strict=True)),
    }


def report_lines(r: dict[str, Any], base_path: Path) -> list[str]:
    """What `art demo` prints about a finished run."""
    run = f"demo/{r['model']}"
    if r["start_step"]:
        head = f"continued {run} from step {r['start_step']} to {r['final_step']} in {base_path}/"
        head += " (--name starts a new run)"
    else:
        head = f"trained {run} for {r['final_step']} steps into {base_path}/"
    first = [v for _, v in r["val_curve"][:3]]
    last = [v for _, v in r["val_curve"][-3:]]
    w = r["smoothing_window"]
    lines = [
        head,
        f"val/reward: first 3 steps {sum(first) / len(first):.3f}, last 3 steps {sum(last) / len(last):.3f}",
        f"best step, no smoothing:     {r['best_raw'][0]} (val/reward {r['best_raw'][1]:.3f})",
        f"best step, window {w}:         {r['best_smoothed'][0]} "
        f"(smoothed val/reward {r['best_smoothed'][1]:.3f})",
        f"checkpoints kept: {r['kept_checkpoints']} (others deleted)",
        "final policy: " + ", ".join(f"{k} {v:.2f}" for k, v in r["final_policy"].items()),
        "strategies sampled in the last 5 train steps (SQL over trajectories):",
    ]
    lines += [f"  {strategy:<12} {n}" for strategy, n in r["late_train_strategies"]]
    store = "" if base_path == Path(".art") else f" -b {shlex.quote(str(base_path))}"  # as run: runnable
    lines.append(f"try: art history demo {shlex.quote(r['model'])} --metric val/reward --window {w}{store}")
    return lines
