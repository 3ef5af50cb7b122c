"""`trajectory_json` byte for byte as openpipe-art 0.5.23 writes it, for what the two
packages model alike: a subclass's fields, additional histories (Choice objects, tools,
an empty one, non-ASCII), policy versions, and the NaN path. The same code builds the
groups with either package."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import art
from art.store.parquet import groups_to_table

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]
PEER = Path(os.environ.get("PEER_PYTHON", ROOT / "bench" / ".peer-venv" / "bin" / "python"))

BUILD = """
import math
import art
from art.trajectories import LegacyHistory
from openai.types.chat.chat_completion import Choice

class ProjectTrajectory(art.Trajectory):
    final_answer: str | None = None
    turns: int = 0

tools = [{"function": {"name": "search", "parameters": {"type": "object"}}, "type": "function"}]
choice = Choice(finish_reason="stop", index=0, message={"role": "assistant", "content": "jüdged ☃"})
judge = LegacyHistory(messages_and_choices=[{"role": "user", "content": "ok?"}, choice], tools=tools)
empty = LegacyHistory(messages_and_choices=[])
groups = [art.TrajectoryGroup([
    ProjectTrajectory(messages_and_choices=[{"role": "user", "content": "q"}, choice], reward=1.0,
                      final_answer="42", initial_policy_version=0, final_policy_version=2,
                      additional_histories=[judge, empty], logs=["l"]),
    ProjectTrajectory(messages_and_choices=[{"role": "user", "content": "q"}], reward=0.5, turns=3,
                      metrics={"m": math.nan}, additional_histories=[judge]),
    art.Trajectory(messages_and_choices=[{"role": "user", "content": "q"}], reward=-1.0, tools=tools,
                   final_policy_version=1, additional_histories=[empty]),
])]
"""

PEER_CODE = (
    BUILD
    + """
import sys, json
import pyarrow.parquet as pq
from art.utils.trajectory_logging import write_trajectory_groups_parquet
write_trajectory_groups_parquet(groups, sys.argv[1])
print(json.dumps(pq.read_table(sys.argv[1]).column("trajectory_json").to_pylist()))
"""
)


def test_trajectory_json_is_written_as_openpipe_art_writes_it(tmp_path: Path) -> None:
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    out = subprocess.run(
        [str(PEER), "-c", PEER_CODE, str(tmp_path / "theirs.parquet")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    theirs = json.loads(out.stdout.splitlines()[-1])
    scope: dict[str, object] = {}
    exec(BUILD, scope)  # the fixed snippet above, run by both packages
    groups: list[art.TrajectoryGroup] = scope["groups"]  # type: ignore[assignment]
    ours = groups_to_table(groups).column("trajectory_json").to_pylist()
    assert ours == theirs
