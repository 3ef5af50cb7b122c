"""An older ART training loop (before 0.5.x): `model.train()` logs, trains and logs again.

Written only with names ART had then; no run_name, so files go under the model's name.
Needs ART_LOCAL_TRAINER and ART_INFERENCE_BASE_URL, as train_loop.py.
"""

import asyncio

import art
from art.local import LocalBackend


@art.retry(max_attempts=3, delay=0.01)
async def rollout(model: art.TrainableModel, question: str) -> art.Trajectory:
    trajectory = art.Trajectory(messages_and_choices=[{"role": "user", "content": question}], reward=0.0)
    completion = await model.openai_client().chat.completions.create(
        model=model.get_inference_name(), messages=trajectory.messages()
    )
    trajectory.messages_and_choices.append(completion.choices[0])
    trajectory.reward = float(completion.choices[0].message.content.strip() == str(eval(question)))
    return trajectory


async def main() -> None:
    backend = LocalBackend()
    model = art.TrainableModel(
        name="old-agent", project="arithmetic", base_model="tiny-base", report_metrics=[]
    )
    await model.register(backend)
    for _ in range(2):
        groups = await art.gather_trajectory_groups(
            (art.TrajectoryGroup(rollout(model, q) for _ in range(3)) for q in ["1 + 1", "2 * 5"]),
            pbar_desc="gather",
        )
        await model.train(groups, config=art.TrainConfig(learning_rate=1e-5))
        await model.delete_checkpoints()
    await backend.close()
    print(f"trained to step {await model.get_step()}")


if __name__ == "__main__":
    asyncio.run(main())
