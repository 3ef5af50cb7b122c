"""One scripted ART 0.5.23-style run, written only with names openpipe-art 0.5.23 has.

Run by the compat tests twice, in separate processes: with the real openpipe-art (its venv)
and with this package. Usage: python scenario.py BASE_DIR  (prints a JSON summary).

Rollouts through gather_trajectory_groups (groups built from rollout coroutines, one
rollout raising), trajectories filled in by mutation, choice dicts with fields a Choice does
not model, train logs with backend.train()-style metrics (costs, data and time keys), val
logs, metrics-only logs, a process "restart" (a new model object: running totals resume
from state.json) and delete_checkpoints after each step.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.pop("WANDB_API_KEY", None)
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from openai.types.chat.chat_completion import Choice

import art

STEPS, GROUPS, PER_GROUP = 4, 3, 3


class ScriptBackend:
    """The smallest backend ART's TrainableModel accepts: checkpoints are folders; training
    makes the next one and reports fixed metrics (ART's LocalBackend needs a GPU)."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def _dir(self, model: art.Model) -> Path:
        return self.base / model.project / "models" / model._storage_name() / "checkpoints"

    async def register(self, model: art.Model) -> None:
        self._dir(model).mkdir(parents=True, exist_ok=True)

    async def _prepare_backend_for_training(self, model: art.TrainableModel, config: object = None):
        return ("http://127.0.0.1:9/v1", "script-key")

    async def _get_step(self, model: art.TrainableModel) -> int:
        steps = [int(p.name) for p in self._dir(model).iterdir() if p.name.isdigit()]
        return max(steps, default=0)

    async def train(self, model: art.TrainableModel, groups: list, *, learning_rate: float = 5e-6, **kw):
        step = await self._get_step(model) + 1
        (self._dir(model) / f"{step:04d}").mkdir()
        metrics = {
            "loss": 0.5 / step,
            "grad_norm": 1.0 + step,
            "data/step_num_gradient_steps": 1.0,
            "time/step_backend_train_s": 2.0,
            "data/step_trainable_assistant_tokens": 100.0 * step,
            "data/step_num_scenarios": float(len(groups)),
            "data/step_num_trajectories": float(sum(len(g.trajectories) + len(g.exceptions) for g in groups)),
            "data/step_num_groups_submitted": float(len(groups)),
            "data/step_num_groups_trainable": float(len(groups)),
        }
        return art.TrainResult(step=step, metrics=metrics)

    async def _delete_checkpoint_files(self, model: art.TrainableModel, steps_to_keep: list[int]) -> None:
        for p in self._dir(model).iterdir():
            if p.name.isdigit() and int(p.name) not in steps_to_keep:
                shutil.rmtree(p)

    async def close(self) -> None:
        return None


async def rollout(step: int, g: int, k: int, split: str) -> art.Trajectory:
    if split == "train" and (step, g, k) == (1, 1, 0):
        raise ValueError("rollout failed")
    t = art.Trajectory(messages_and_choices=[{"role": "system", "content": "play"}])
    t.messages_and_choices.append({"role": "user", "content": f"scenario {g} at {step}"})
    text = f"answer {k}"
    if k == 2:  # a choice dict with a finish_reason a Choice refuses: kept as the dict
        t.messages_and_choices.append(
            {"finish_reason": "eos", "index": 0, "message": {"role": "assistant", "content": text}, "x": 1}
        )
    else:
        t.messages_and_choices.append(
            Choice(finish_reason="stop", index=0, message={"role": "assistant", "content": text})
        )
    t.reward = round(((step + 1) * (g + 2) * (k + 3)) % 7 / 7 + (0.05 if split == "val" else 0.0), 6)
    t.metrics["correct"] = k % 2 == 0
    t.metrics["costs/judge"] = 0.001 * (k + 1)
    t.metadata["scenario_id"] = f"s{g}"
    t.metadata["tags"] = {"k": k, "split": split}
    t.log(f"rollout {k}")
    return t


def groups_for(step: int, split: str) -> list:
    return [
        art.TrajectoryGroup(
            (rollout(step, g, k, split) for k in range(PER_GROUP)),
            metadata={"scenario_id": f"s{g}"},
            metrics={"judge_score": g / 10},
        )
        for g in range(GROUPS)
    ]


def in_order(groups: list) -> list:
    # ART awaits a group's rollouts with as_completed: order the trajectories as given
    for g in groups:
        g.trajectories.sort(key=lambda t: t.metadata["tags"]["k"])
    return groups


def new_model(base: Path) -> art.TrainableModel:
    return art.TrainableModel(
        name="agent",
        run_name="run-1",
        project="compat",
        base_model="tiny",
        base_path=str(base),
        report_metrics=[],
    )


async def main(base: Path) -> dict:
    backend = ScriptBackend(base)
    model = new_model(base)
    await model.register(backend)
    kept = []
    for step in range(STEPS):
        if step == 2:  # a restart: a new model object, running totals come back from state.json
            model = new_model(base)
            await model.register(backend)
        train = in_order(
            await art.gather_trajectory_groups(groups_for(step, "train"), pbar_desc=None, max_exceptions=5)
        )
        current = await model.get_step()
        result = await backend.train(model, train, learning_rate=1e-5)
        await model.log(train, metrics=result.metrics, step=current, split="train")
        val = in_order(await art.gather_trajectory_groups(groups_for(step, "val"), pbar_desc=None))
        await model.log(val, split="val", step=result.step)
        await model.log(
            metrics={"loss/policy": 0.1 * step, "costs/train/tinker": 0.01, "lr": 1e-5},
            split="train",
            step=result.step,
        )
        await model.delete_checkpoints("val/reward")
        kept.append(sorted(int(p.name) for p in backend._dir(model).iterdir()))
    # a NaN reward (a failed judge): ART stores it and drops the step's reward mean
    nan = art.Trajectory(
        messages_and_choices=[{"role": "user", "content": "judge failed"}], reward=float("nan")
    )
    ok = art.Trajectory(messages_and_choices=[{"role": "user", "content": "judged"}], reward=0.25)
    await model.log([art.TrajectoryGroup([nan, ok, ok])], split="val", step=99)
    model_dir = base / "compat" / "models" / "run-1"
    history = [
        {k: v for k, v in json.loads(line).items() if k != "recorded_at"}
        for line in (model_dir / "history.jsonl").read_text().splitlines()
    ]
    state = json.loads((model_dir / "state.json").read_text())["_metrics_builder_state"]
    files = sorted(str(p.relative_to(model_dir)) for p in (model_dir / "trajectories").rglob("*.parquet"))
    return {
        "history": history,
        "cum_state": state["cum_state"],
        "scenarios": sorted(state["unique_scenario_ids"]),
        "files": files,
        "kept": kept,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))
