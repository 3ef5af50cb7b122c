"""`art.utils` against openpipe-art 0.5.23's own: the same batches from `iterate_dataset` for
the same arguments (a run resumed under either package sees the same items), and one
trajectory file written by either package read back by the other."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from openai.types.chat.chat_completion import Choice

import art
from art.trajectories import get_messages
from art.utils import iterate_dataset
from art.utils.strip_logprobs import strip_logprobs
from art.utils.trajectory_logging import read_trajectory_groups_parquet, write_trajectory_groups_parquet

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]
PEER = Path(os.environ.get("PEER_PYTHON", ROOT / "bench" / ".peer-venv" / "bin" / "python"))
TRACED = {"a": {"logprobs": [0.1], "b": [{"logprobs": 2, "c": 3}]}, "t": [1, {"logprobs": 0, "d": None}]}
GIVEN = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": None},
    {"choice": {"finish_reason": "stop", "index": 0, "message": {"role": "assistant", "content": "4"}}},
    {
        "choice": {
            "finish_reason": "tool_calls",
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
        }
    },
    {"role": "tool", "content": "x", "tool_call_id": "c1"},
]
CASES = [(10, 3, 2, 0), (10, 3, 2, 4), (7, 1, 3, 5), (5, 8, 2, 1), (12, 4, 1, 0)]
PEER_CODE = """
import json, sys
import art
from art.trajectories import get_messages
from art.utils import iterate_dataset
from art.utils.strip_logprobs import strip_logprobs
from art.utils.trajectory_logging import read_trajectory_groups_parquet, write_trajectory_groups_parquet
cases, ours, theirs = (json.loads(a) for a in sys.argv[1:4])
batches = [
    [[b.items, b.step, b.epoch, b.epoch_step]
     for b in iterate_dataset(list(range(n)), g, e, i, use_tqdm=False)]
    for n, g, e, i in cases
]
read = [[[t.reward, t.metrics, t.metadata, t.messages_and_choices] for t in g.trajectories]
        for g in read_trajectory_groups_parquet(ours)]
write_trajectory_groups_parquet(
    [art.TrajectoryGroup([art.Trajectory(messages_and_choices=[{"role": "user", "content": "hi"}],
                                         reward=r, metrics={"m": r}, metadata={"k": "v"})])
     for r in (0.5, 1.0)],
    theirs,
)
stripped = strip_logprobs(json.loads(sys.argv[4]))
from openai.types.chat.chat_completion import Choice
from art.trajectories import get_messages
given = [Choice.model_validate(m["choice"]) if "choice" in m else m for m in json.loads(sys.argv[5])]
print(json.dumps({"batches": batches, "read": read, "stripped": stripped, "messages": get_messages(given)}))
"""


def trajectories(groups: list[art.TrajectoryGroup]) -> list[list[list[object]]]:
    return [
        [[t.reward, t.metrics, t.metadata, t.messages_and_choices] for t in g.trajectories] for g in groups
    ]


def test_iterate_dataset_and_trajectory_files_match_arts(tmp_path: Path) -> None:
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    ours, theirs = tmp_path / "ours.parquet", tmp_path / "theirs.parquet"
    groups = [
        art.TrajectoryGroup(
            [
                art.Trajectory(
                    messages_and_choices=[
                        {"role": "user", "content": f"q{g}"},
                        {"role": "assistant", "content": "a"},
                    ],
                    reward=0.5 * t,
                    metrics={"correct": float(t)},
                    metadata={"scenario": f"{g}"},
                )
                for t in range(2)
            ]
        )
        for g in range(2)
    ]
    write_trajectory_groups_parquet(groups, ours)
    out = subprocess.run(
        [str(PEER), "-c", PEER_CODE, *map(json.dumps, (CASES, str(ours), str(theirs), TRACED, GIVEN))],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    peer = json.loads(out.stdout.splitlines()[-1])
    mine = [
        [
            [b.items, b.step, b.epoch, b.epoch_step]
            for b in iterate_dataset(list(range(n)), g, e, i, use_tqdm=False)
        ]
        for n, g, e, i in CASES
    ]
    assert mine == peer["batches"]
    given = [Choice.model_validate(m["choice"]) if "choice" in m else m for m in GIVEN]
    assert get_messages(given) == peer["messages"]
    assert strip_logprobs(TRACED) == peer["stripped"] == {"a": {"b": [{"c": 3}]}, "t": [1, {"d": None}]}
    assert peer["read"] == trajectories(groups)
    assert trajectories(read_trajectory_groups_parquet(theirs)) == [
        [[r, {"m": r}, {"k": "v"}, [{"role": "user", "content": "hi"}]]] for r in (0.5, 1.0)
    ]
