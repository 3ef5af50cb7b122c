"""ART 0.5.23 names and behaviours a rollout script relies on (tests/compat checks the
same against the real openpipe-art; these run without it)."""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import art
from art import LocalBackend
from art.errors import MissingExtraError
from art.store.parquet_read import read_groups
from art.trajectories import NanRewardWarning

from .conftest import group
from .scripts import run_script


async def ok(reward: float) -> art.Trajectory:
    return art.Trajectory(
        messages_and_choices=[{"role": "user", "content": "q"}], reward=reward, metrics={"m": 1}
    )


async def boom() -> art.Trajectory:
    raise RuntimeError("rollout failed")


def test_trajectory_has_arts_defaults_and_is_filled_in_by_mutation() -> None:
    t = art.Trajectory()
    assert (t.reward, t.messages_and_choices, t.metrics, t.tools) == (0.0, [], {}, None)
    t.messages_and_choices.append({"role": "user", "content": "hi"})
    t.reward = 1
    t.metadata["nested"] = {"tags": ["a", 1], "ok": True}
    t.log("done")
    assert (t.reward, t.logs, len(t.messages_and_choices)) == (1.0, ["done"], 1)
    with pytest.raises(ValueError, match="reward"):
        t.reward = "high"


async def test_group_of_rollout_coroutines_is_awaited_in_the_order_given() -> None:
    g = await art.TrajectoryGroup((ok(r) for r in (0.1, 0.2, 0.3)), metadata={"scenario_id": "s"})
    assert [t.reward for t in g] == [0.1, 0.2, 0.3] and g.metadata == {"scenario_id": "s"}
    with pytest.raises(RuntimeError, match="rollout failed"):  # outside a gather no exception is tolerated
        await art.TrajectoryGroup([ok(1.0), boom()])


async def test_gather_groups_tolerates_max_exceptions_and_applies_after_each() -> None:
    seen = []

    async def after_each(g: art.TrajectoryGroup) -> list[art.TrajectoryGroup]:
        seen.append(len(g))
        return [g, g]

    groups = await art.gather_trajectory_groups(
        [art.TrajectoryGroup([ok(1.0), boom()]), art.TrajectoryGroup([ok(0.0), ok(0.5)])],
        pbar_desc="t",
        max_exceptions=1,
        after_each=after_each,
    )
    assert sorted(seen) == [1, 2] and len(groups) == 4
    assert [e.message for e in groups[0].exceptions] == ["rollout failed"]
    with pytest.raises(RuntimeError):
        await art.gather_trajectory_groups([art.TrajectoryGroup([boom(), boom()])], max_exceptions=1)


async def test_gather_trajectories_returns_tolerated_exceptions_in_place() -> None:
    out = await art.gather_trajectories([ok(1.0), boom(), ok(0.0)], max_exceptions=0.5)
    assert isinstance(out[1], RuntimeError) and [t.reward for t in (out[0], out[2])] == [1.0, 0.0]
    with pytest.raises(RuntimeError):
        await art.gather_trajectories([ok(1.0), boom()])


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_shows_reward_and_exceptions_only_on_a_terminal(terminal: bool) -> None:
    code = (
        "import asyncio, art\n"
        "async def ok(): return art.Trajectory(reward=0.5)\n"
        "async def boom(): raise ValueError('x')\n"
        "asyncio.run(art.gather_trajectory_groups([art.TrajectoryGroup([ok(), ok(), boom()])],"
        " pbar_desc='rollouts', max_exceptions=1))\n"
    )
    out = run_script(code, terminal=terminal)
    assert out.returncode == 0, out.stderr
    if terminal:
        assert "rollouts" in out.stderr and "reward=0.5" in out.stderr and "exceptions=1" in out.stderr
    else:
        assert out.stderr == ""


def test_retry_retries_then_raises_the_last_error() -> None:
    calls = []

    @art.retry(max_attempts=3, delay=0, on_retry=lambda e, n: calls.append(n))
    def flaky() -> str:
        if len(calls) < 2:
            raise OSError("again")
        return "ok"

    assert flaky() == "ok" and calls == [1, 2]

    @art.retry(max_attempts=2, delay=0, exceptions=(KeyError,))
    def never() -> None:
        raise KeyError("k")

    with pytest.raises(KeyError):
        never()


async def test_nan_reward_is_stored_as_art_stores_it_and_kept_out_of_every_mean(tmp_path: Path) -> None:
    with pytest.warns(NanRewardWarning):
        nan = art.Trajectory(messages_and_choices=[{"role": "user", "content": "q"}], reward=float("nan"))
    g = art.TrajectoryGroup([nan, art.Trajectory(reward=0.2), art.Trajectory(reward=0.6)])
    model = art.Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])
    row = await model.log([g], split="val", step=1)
    assert row["val/reward"] == pytest.approx(0.4)
    assert row["val/reward_std_dev"] == pytest.approx(0.2)
    assert row["val/exception_rate"] == 0.0 and row["val/data/step_num_trajectories"] == 3.0
    table = pq.read_table(model.paths.trajectory_file("val", 1))
    assert math.isnan(table["reward"][0].as_py())
    assert '"reward":NaN' in table["trajectory_json"][0].as_py()
    assert math.isnan(read_groups(model.paths.trajectory_file("val", 1))[0].trajectories[0].reward)


async def test_history_keys_and_running_totals_follow_art_0_5_23(tmp_path: Path) -> None:
    def model() -> art.Model:
        return art.Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])

    m = model()
    g = group(1.0, 0.0, metadata={"scenario_id": 3})
    g.trajectories[0].metrics.update({"costs/judge": 0.5, "data/step_tokens": 3})
    row = await m.log(
        [g], split="train", step=1, metrics={"loss/x": 1.0, "foo": 2, "costs/train/tinker": 0.25}
    )
    assert row["loss/x"] == 1.0 and row["train/foo"] == 2.0  # sections stay, others get the split
    assert (row["costs/judge"], row["costs/train"], row["costs/all"]) == (0.5, 0.25, 0.75)
    assert row["data/step_num_groups_trainable"] == 1.0 and row["data/cum/num_unique_scenarios"] == 1.0
    m = model()  # a new process: totals come back from state.json
    row = await m.log(metrics={"costs/train/tinker": 0.25}, split="train", step=2)
    assert row == {
        "costs/train/tinker": 0.25,
        "costs/train": 0.25,
        "costs/all": 0.25,
        "costs/cum/train/tinker": 0.5,
        "costs/cum/train": 0.5,
        "costs/cum/all": 1.0,
    }
    state = json.loads((m.paths.model_dir / "state.json").read_text())
    assert state["_metrics_builder_state"]["unique_scenario_ids"] == ["3"]
    with pytest.raises(ValueError, match="costs_prefill"):
        await m.log(metrics={"costs_prefill": 1.0}, split="train", step=3)


def test_choice_dicts_with_unknown_fields_read_back_verbatim(tmp_path: Path) -> None:
    from openai.types.chat.chat_completion import Choice

    eos = {"finish_reason": "eos", "index": 0, "message": {"role": "assistant", "content": "x"}, "extra": [1]}
    real = Choice(finish_reason="stop", index=0, message={"role": "assistant", "content": "y"})
    partial = {"finish_reason": "stop", "index": 0, "message": {"role": "assistant", "content": "z"}}
    t = art.Trajectory(
        messages_and_choices=[{"role": "user", "content": "q"}, eos, real, partial], reward=1.0
    )
    from art.store.parquet import groups_to_table, write_table

    write_table(groups_to_table([art.TrajectoryGroup([t])]), tmp_path / "0000.parquet")
    (back,) = read_groups(tmp_path / "0000.parquet")
    assert back.trajectories[0].messages_and_choices == [{"role": "user", "content": "q"}, eos, real, partial]
    assert type(back.trajectories[0].messages_and_choices[2]) is Choice


def test_v1_file_without_group_index_reads_as_one_group(tmp_path: Path) -> None:
    msg = pa.struct([("role", pa.string()), ("content", pa.string())])
    table = pa.table(
        {
            "reward": [1.0, 0.0],
            "metrics": ['{"a": 1}', None],
            "messages": pa.array([[{"role": "user", "content": "q"}]] * 2, pa.list_(msg)),
        }
    )
    pq.write_table(table, tmp_path / "0000.parquet")
    (g,) = read_groups(tmp_path / "0000.parquet")
    assert [t.reward for t in g] == [1.0, 0.0] and g.trajectories[0].metrics == {"a": 1}


def test_openai_client_without_openai_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    m = art.Model(name="m", project="p", inference_api_key="k", inference_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(MissingExtraError, match=r"art-duckdb\[openai\]"):  # one class, in art.errors
        m.openai_client()
    with pytest.raises(ValueError, match="inference_base_url"):
        art.Model(name="m", project="p").openai_client()
    assert (m.get_inference_name(), m.get_inference_name(4)) == ("m", "m@4")


async def test_run_name_names_the_folder_and_backend_is_a_context_manager(tmp_path: Path) -> None:
    class OneStep:
        async def train(self, model, groups, checkpoint_dir, config):
            checkpoint_dir.mkdir(parents=True)
            yield {"loss": 0.5, "data/step_num_gradient_steps": 1}
            yield {"loss": 0.3, "data/step_num_gradient_steps": 1}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with LocalBackend(path=tmp_path, trainer=OneStep()) as backend:
            model = art.TrainableModel(
                name="alias",
                run_name="run-9",
                project="p",
                base_model="b",
                report_metrics=[],
                _internal_config={"engine_args": {"gpu_memory_utilization": 0.5}},
            )
            await model.register(backend)
            result = await backend.train(model, [group(1.0, 0.0)], learning_rate=1e-5)
    assert isinstance(result, art.TrainResult) and result.step == 1
    assert (
        result.metrics["loss"] == pytest.approx(0.4) and result.metrics["data/step_num_gradient_steps"] == 1
    )
    assert result.metrics["data/step_num_groups_trainable"] == 1.0
    assert result.checkpoint_path == str(tmp_path / "p/models/run-9/checkpoints/0001")
    doc = json.loads((tmp_path / "p/models/run-9/model.json").read_text())
    assert doc["_internal_config"] == {"engine_args": {"gpu_memory_utilization": 0.5}}
    with LocalBackend(path=tmp_path) as sync_backend:
        assert sync_backend.path == tmp_path


async def test_the_inference_api_key_is_never_written_to_model_json(tmp_path: Path) -> None:
    m = art.TrainableModel(
        name="m", project="p", base_model="b", inference_api_key="sk-SECRET-123", inference_base_url="http://x"
    )
    await m.register(LocalBackend(path=tmp_path))
    text = (tmp_path / "p" / "models" / "m" / "model.json").read_text()
    assert "sk-SECRET-123" not in text and "sk-SECRET-123" not in repr(m)
    assert m.inference_api_key == "sk-SECRET-123"  # still there for openai_client()
