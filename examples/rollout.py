"""Evaluate a prompted model: rollouts through ART's gather_trajectory_groups, logged as val.

Written only with names openpipe-art 0.5.23 has, so it runs unchanged with either package.
Needs an OpenAI-compatible endpoint: OPENAI_BASE_URL and OPENAI_API_KEY.
"""

import asyncio
import os

import art

SCENARIOS = ["2 + 2", "3 * 3", "10 - 4", "7 + 8"]


async def rollout(model: art.Model, question: str) -> art.Trajectory:
    trajectory = art.Trajectory(
        messages_and_choices=[
            {"role": "system", "content": "Answer with a number only."},
            {"role": "user", "content": question},
        ],
        metadata={"scenario_id": question},
    )
    client = model.openai_client()
    completion = await client.chat.completions.create(
        model=model.get_inference_name(), messages=trajectory.messages(), max_tokens=16
    )
    choice = completion.choices[0]
    trajectory.messages_and_choices.append(choice)
    trajectory.reward = 1.0 if choice.message.content.strip() == str(eval(question)) else 0.0
    trajectory.metrics["answer_chars"] = len(choice.message.content)
    return trajectory


async def main() -> None:
    model = art.Model(
        name="prompted-model",
        project="arithmetic",
        inference_api_key=os.environ["OPENAI_API_KEY"],
        inference_base_url=os.environ["OPENAI_BASE_URL"],
        report_metrics=[],
    )
    groups = await art.gather_trajectory_groups(
        (art.TrajectoryGroup(rollout(model, q) for _ in range(3)) for q in SCENARIOS),
        pbar_desc="val",
        max_exceptions=2,
    )
    await model.log(groups, split="val")
    print(f"logged {sum(len(g) for g in groups)} trajectories")


if __name__ == "__main__":
    asyncio.run(main())
