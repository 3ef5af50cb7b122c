"""`art.utils.benchmarking.load_trajectories` against openpipe-art 0.5.23's own on the same
store: the same frame (columns, types, values, groups), whatever the messages hold (tool calls,
Choice objects), the metadata (nested values, spelt by Python's str) or the metrics (bools)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from openai.types.chat.chat_completion import ChatCompletionMessage, Choice
from openai.types.chat.chat_completion_message_tool_call import ChatCompletionMessageToolCall, Function

import art
from art.errors import StoreNotFoundError
from art.utils.benchmarking.load_trajectories import load_trajectories

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]
PEER = Path(os.environ.get("PEER_PYTHON", ROOT / "bench" / ".peer-venv" / "bin" / "python"))
PEER_CODE = """
import asyncio, json, sys
from art.utils.benchmarking.load_trajectories import load_trajectories
models = json.loads(sys.argv[3])
asyncio.run(load_trajectories("proj", models=models, art_path=sys.argv[1])).write_parquet(sys.argv[2])
"""


def call(name: str) -> ChatCompletionMessageToolCall:
    return ChatCompletionMessageToolCall(
        id=f"c-{name}", type="function", function=Function(name=name, arguments='{"x": 1}')
    )


def rollout(model: str, step: int, g: int, t: int) -> art.Trajectory:
    choice = Choice(
        finish_reason="tool_calls",
        index=0,
        message=ChatCompletionMessage(role="assistant", content=None, tool_calls=[call("search")]),
    )
    return art.Trajectory(
        messages_and_choices=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": f"q{g}"},
            choice,
            {"role": "tool", "content": "found", "tool_call_id": "c-search"},
            {"role": "assistant", "content": "done", "tool_calls": [call("finish").model_dump()]},
        ],
        reward=0.1 * t + step,
        metrics={"correct": t % 2 == 0, "turns": 3 + t},
        metadata={"id": f"{model}-{step}-{g}-{t}", "tags": {"a": [1, 2]}, "ok": True},
        logs=[f"log {t}"],
    )


async def write(base: Path) -> None:
    for name in ("alpha", "beta"):
        model = art.Model(name=name, project="proj", base_path=str(base), report_metrics=[])
        for step in (1, 2):
            for split in ("train", "val"):
                groups = [
                    art.TrajectoryGroup(
                        [rollout(name, step, g, t) for t in range(2)],
                        metadata={"scenario": f"s{g}"},
                        metrics={"judge": 0.5 * g},
                    )
                    for g in range(2)
                ]
                await model.log(groups, split=split, step=step)


def normal(df: pl.DataFrame) -> pl.DataFrame:
    """Rows by model, split and step (ART's come in its folder listings' order, and within a
    step in the file's), columns by name, groups numbered again in that order."""
    df = df.select(sorted(df.columns)).sort(["model", "split", "step"], maintain_order=True)
    first: dict[int, int] = {}
    numbers = [first.setdefault(g, len(first) + 1) for g in df["group_number"]]
    return df.with_columns(pl.Series("group_number", numbers, dtype=pl.Int64))


@pytest.mark.parametrize("models", [None, ["beta"]])
def test_the_same_frame_as_arts(tmp_path: Path, models: list[str] | None) -> None:
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    base, theirs = tmp_path / "store", tmp_path / "theirs.parquet"
    asyncio.run(write(base))
    import json

    subprocess.run(
        [str(PEER), "-c", PEER_CODE, str(base), str(theirs), json.dumps(models)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    ours = asyncio.run(load_trajectories("proj", models=models, art_path=str(base)))
    assert ours.height == (16 if models else 32)
    assert normal(ours).equals(normal(pl.read_parquet(theirs)))
    assert ours.schema == pl.read_parquet(theirs).select(ours.columns).schema


def test_openpipe_art_v1_files_keep_their_rows_in_the_files_order(tmp_path: Path) -> None:
    """v1 files have no trajectory_index: a group's rows come as the file holds them, as in
    ART (they came in any order, so `group_number == k` picked another first trajectory)."""
    if not PEER.exists():
        pytest.fail(f"no peer at {PEER}: run `bash bench/setup_peer.sh` first")
    base, theirs = tmp_path / "store", tmp_path / "theirs.parquet"
    shutil.copytree(ROOT / "tests" / "data" / "art-0.5.9" / "art-fixture", base / "proj")
    asyncio.run(write(base))
    subprocess.run(
        [str(PEER), "-c", PEER_CODE, str(base), str(theirs), "null"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    ours = asyncio.run(load_trajectories("proj", art_path=str(base)))
    assert ours.filter(pl.col("model") == "agent-run").height > 30
    assert normal(ours).equals(normal(pl.read_parquet(theirs)))


def test_a_project_with_nothing_is_an_empty_frame_and_a_missing_store_an_error(tmp_path: Path) -> None:
    asyncio.run(write(tmp_path))
    assert asyncio.run(load_trajectories("nope", art_path=tmp_path)).shape == (0, 0)
    assert asyncio.run(load_trajectories("proj", models=["gamma"], art_path=tmp_path)).shape == (0, 0)
    with pytest.raises(StoreNotFoundError):
        asyncio.run(load_trajectories("proj", art_path=tmp_path / "missing"))
