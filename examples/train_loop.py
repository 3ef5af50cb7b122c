"""An ART 0.5.x training loop: gather, backend.train(), model.log(), delete_checkpoints().

Written only with names openpipe-art 0.5.23 has. ART's LocalBackend trains with Unsloth and
serves with vLLM on a GPU; here LocalBackend trains with the plugged-in trainer
(ART_LOCAL_TRAINER) and serves through the endpoint you run (ART_INFERENCE_BASE_URL).
"""

import asyncio

import art
from art.local import LocalBackend
from art.utils import iterate_dataset

SCENARIOS = ["2 + 2", "3 * 3", "10 - 4"]


async def rollout(model: art.TrainableModel, question: str, step: int) -> art.Trajectory:
    client = model.openai_client()
    messages = [{"role": "user", "content": question}]
    completion = await client.chat.completions.create(
        model=model.get_inference_name(), messages=messages, temperature=1.0
    )
    choice = completion.choices[0]
    correct = choice.message.content.strip() == str(eval(question))
    return art.Trajectory(
        messages_and_choices=[*messages, choice],
        reward=1.0 if correct else 0.0,
        metrics={"correct": correct},
        metadata={"scenario_id": question, "step": step},
    )


async def main() -> None:
    async with LocalBackend() as backend:
        model = art.TrainableModel(
            name="agent",
            run_name="agent-run-1",
            project="arithmetic",
            base_model="tiny-base",
            report_metrics=[],
        )
        await model.register(backend)
        # one batch of all three scenarios per step, three epochs; resumes where the model is
        batches = iterate_dataset(
            SCENARIOS, groups_per_step=3, num_epochs=3, initial_step=await model.get_step()
        )
        for batch in batches:
            step = await model.get_step()
            groups = await art.gather_trajectory_groups(
                (art.TrajectoryGroup(rollout(model, q, step) for _ in range(4)) for q in batch.items),
                pbar_desc=f"train {step}",
            )
            result = await backend.train(model, groups, learning_rate=1e-5)
            await model.log(groups, metrics=result.metrics, step=result.step, split="train")
            val = await art.gather_trajectory_groups(
                (art.TrajectoryGroup(rollout(model, q, result.step) for _ in range(2)) for q in SCENARIOS),
                pbar_desc="val",
            )
            await model.log(val, split="val", step=result.step)
            await model.delete_checkpoints("val/reward")
        print(f"trained to step {await model.get_step()}")


if __name__ == "__main__":
    asyncio.run(main())
