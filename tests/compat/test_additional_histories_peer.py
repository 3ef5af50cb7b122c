"""`Trajectory.additional_histories` (a sub-agent's or judge's transcript beside the main
one) and the policy versions kept through a step file both ways: openpipe-art 0.5.23's reader gives back the
histories we logged, Choice objects and tools included, and ours gives back ART's."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openai.types.chat.chat_completion import Choice

import art
from art.store.parquet_read import read_groups
from art.trajectories import History

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]
PEER = Path(os.environ.get("PEER_PYTHON", ROOT / "bench" / ".peer-venv" / "bin" / "python"))
TOOLS = [{"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}]
PEER_CODE = """
import json, sys
from openai.types.chat.chat_completion import Choice
import art
from art.trajectories import LegacyHistory
from art.utils.trajectory_logging import read_trajectory_groups_parquet, write_trajectory_groups_parquet

def dump(item):
    return item if isinstance(item, dict) else item.model_dump(mode="json")

def histories(path):
    return [[[h.tools, [dump(m) for m in h.messages_and_choices]] for h in t.additional_histories]
            + [t.initial_policy_version, t.final_policy_version]
            for g in read_trajectory_groups_parquet(path) for t in g.trajectories]

ours, theirs, tools = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
choice = Choice(finish_reason="stop", index=0, message={"role": "assistant", "content": "art's"})
write_trajectory_groups_parquet(
    [art.TrajectoryGroup([art.Trajectory(
        messages_and_choices=[{"role": "user", "content": "main"}], reward=0.5,
        initial_policy_version=7, final_policy_version=8,
        additional_histories=[LegacyHistory(messages_and_choices=[{"role": "user", "content": "sub"}, choice],
                                            tools=tools)])])],
    theirs,
)
print(json.dumps(histories(ours)))
"""


def dump(item: Any) -> Any:
    return item if isinstance(item, dict) else item.model_dump(mode="json")


def histories(groups: list[art.TrajectoryGroup]) -> list[Any]:
    """Each trajectory's histories (tools, items), then its two policy versions."""
    return [
        [[h.tools, [dump(m) for m in h.messages_and_choices]] for h in t.additional_histories]
        + [t.initial_policy_version, t.final_policy_version]
        for g in groups
        for t in g.trajectories
    ]


def test_additional_histories_round_trip_between_the_packages(tmp_path: Path) -> None:
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    choice = Choice(finish_reason="stop", index=0, message={"role": "assistant", "content": "judged"})
    logged = [
        art.TrajectoryGroup(
            [
                art.Trajectory(
                    messages_and_choices=[{"role": "user", "content": "main"}],
                    reward=1.0,
                    initial_policy_version=2,
                    final_policy_version=3,
                    additional_histories=[
                        History(messages_and_choices=[{"role": "user", "content": "judge?"}, choice]),
                        History(messages_and_choices=[{"role": "user", "content": "tool"}], tools=TOOLS),
                    ],
                ),
                art.Trajectory(reward=0.0),
            ]
        )
    ]
    model = art.Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])
    asyncio.run(model.log(logged, split="val", step=1))
    ours = tmp_path / "p/models/m/trajectories/val/0001.parquet"
    theirs = tmp_path / "theirs.parquet"
    out = subprocess.run(
        [str(PEER), "-c", PEER_CODE, str(ours), str(theirs), json.dumps(TOOLS)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    assert json.loads(out.stdout.splitlines()[-1]) == histories(logged)
    assert read_groups(ours)[0].trajectories == logged[0].trajectories
    [[[tools, items], initial, final]] = histories(read_groups(theirs))
    assert tools == TOOLS and items[0] == {"role": "user", "content": "sub"} and (initial, final) == (7, 8)
    assert isinstance(
        read_groups(theirs)[0].trajectories[0].additional_histories[0].messages_and_choices[1], Choice
    )
