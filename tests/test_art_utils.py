"""`art.utils` as ART scripts use it: iterate_dataset's batches and resume, limit_concurrency's
limit, one trajectory file written and read back, and the progress bars sharing a terminal."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

import art
from art.errors import InvalidArgumentError
from art.utils import DatasetBatch, iterate_dataset, limit_concurrency, retry
from art.utils.strip_logprobs import strip_logprobs
from art.utils.trajectory_logging import read_trajectory_groups_parquet, write_trajectory_groups_parquet

from .scripts import run_script


def batches(*args: int) -> list[DatasetBatch[int]]:
    return list(iterate_dataset(list(range(10)), *args, use_tqdm=False))


def test_each_epoch_yields_every_item_once_in_a_new_order() -> None:
    got = batches(4, 3)
    assert [(b.step, b.epoch, b.epoch_step) for b in got[:4]] == [(0, 0, 0), (1, 0, 1), (2, 0, 2), (3, 1, 0)]
    assert [len(b.items) for b in got] == [4, 4, 2] * 3
    epochs = [[i for b in got if b.epoch == e for i in b.items] for e in range(3)]
    assert all(sorted(e) == list(range(10)) for e in epochs)
    assert len({tuple(e) for e in epochs}) == 3


def test_a_resumed_run_gets_the_batches_it_would_have_had() -> None:
    whole = batches(3, 2)
    assert batches(3, 2, 5) == whole[5:]
    assert batches(3, 2, 100) == []


@pytest.mark.parametrize(
    ("field", "args"),
    [("groups_per_step", (0, 1, 0)), ("num_epochs", (1, -1, 0)), ("initial_step", (1, 1, -2))],
)
def test_bad_arguments_name_the_field(field: str, args: tuple[int, int, int]) -> None:
    with pytest.raises(InvalidArgumentError, match=field):
        iterate_dataset([1, 2], *args)
    with pytest.raises(InvalidArgumentError, match="groups_per_step"):
        iterate_dataset([1, 2], "2")  # type: ignore[arg-type]


def test_art_retry_stays_the_decorator_once_art_utils_is_imported() -> None:
    """As in ART, `art.retry` and `art.utils.retry` are one function, never a module."""
    assert art.retry is retry and callable(retry)
    assert retry(max_attempts=1)(lambda: 3)() == 3


async def test_limit_concurrency_bounds_calls_per_key() -> None:
    running: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    @limit_concurrency(2, derive_key=lambda key, _: key)
    async def call(key: str, i: int) -> int:
        running[key] += 1
        peak[key] = max(peak[key], running[key])
        await asyncio.sleep(0.01)
        running[key] -= 1
        return i

    got = await asyncio.gather(*(call(k, i) for i in range(6) for k in "ab"))
    assert got == [i for i in range(6) for _ in "ab"]
    assert peak == {"a": 2, "b": 2}
    with pytest.raises(InvalidArgumentError, match="n"):
        limit_concurrency(0)


def test_a_file_written_reads_back_as_the_same_groups(tmp_path: Path) -> None:
    groups = [
        art.TrajectoryGroup(
            [
                art.Trajectory(
                    messages_and_choices=[{"role": "user", "content": f"q{g}"}],
                    reward=0.25 * t,
                    metrics={"correct": t == 1},
                    metadata={"id": f"{g}-{t}"},
                )
                for t in range(2)
            ]
        )
        for g in range(3)
    ]
    path = tmp_path / "out" / "groups.parquet"
    write_trajectory_groups_parquet(groups, path)
    back = read_trajectory_groups_parquet(path)
    assert [[t.model_dump() for t in g.trajectories] for g in back] == [
        [t.model_dump() for t in g.trajectories] for g in groups
    ]
    assert [p.name for p in path.parent.iterdir()] == ["groups.parquet"]  # no temp file left


@pytest.mark.parametrize("terminal", [True, False])
def test_a_gather_inside_iterate_dataset_shares_its_display(terminal: bool) -> None:
    code = (
        "import asyncio, art\n"
        "from art.utils import iterate_dataset\n"
        "async def ok(): return art.Trajectory(reward=0.5)\n"
        "async def main():\n"
        "    for batch in iterate_dataset(['a', 'b', 'c'], groups_per_step=2):\n"
        "        await art.gather_trajectory_groups([art.TrajectoryGroup([ok()]) for _ in batch.items],"
        " pbar_desc=f'step {batch.step}')\n"
        "    print('done')\n"
        "asyncio.run(main())\n"
    )
    out = run_script(code, terminal=terminal)
    assert (out.returncode, out.stdout) == (0, "done\n"), out.stderr
    if terminal:
        for shown in ("Iterating dataset", "2/2", "step 0", "step 1", "reward=0.5"):
            assert shown in out.stderr
    else:
        assert out.stderr == ""


async def test_art_dev_options_built_as_art_scripts_do_reach_model_json(tmp_path: Path) -> None:
    internal = art.dev.InternalModelConfig(
        init_args=art.dev.InitArgs(max_seq_length=8192),
        engine_args=art.dev.EngineArgs(gpu_memory_utilization=0.8),
    )
    model = art.TrainableModel(
        name="m", project="p", base_model="b", base_path=str(tmp_path), _internal_config=internal
    )
    async with art.LocalBackend(path=str(tmp_path)) as backend:
        await model.register(backend)
    doc = json.loads((tmp_path / "p/models/m/model.json").read_text())
    assert doc["_internal_config"] == {
        "init_args": {"max_seq_length": 8192},
        "engine_args": {"gpu_memory_utilization": 0.8},
    }
    assert art.dev.TrainConfig(precalculate_logprobs=True) == {"precalculate_logprobs": True}
    with pytest.raises(InvalidArgumentError, match="lora_config"):
        art.dev.PeftArgs(r=8)


def test_strip_logprobs_copies_without_them() -> None:
    from openai.types.chat.chat_completion import Choice, ChoiceLogprobs

    choice = Choice(
        finish_reason="stop",
        index=0,
        message={"role": "assistant", "content": "4"},
        logprobs=ChoiceLogprobs(content=[]),
    )
    traced = {"choices": [choice], "logprobs": [0.1], "nested": ({"logprobs": 1, "keep": 2},)}
    out = strip_logprobs(traced)
    assert out["choices"][0].logprobs is None and out["choices"][0].message.content == "4"
    assert "logprobs" not in out and out["nested"] == ({"keep": 2},)
    assert choice.logprobs is not None and traced["logprobs"] == [0.1]  # the argument is untouched


def test_load_trajectories_without_polars_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from art.errors import MissingExtraError
    from art.utils.benchmarking.load_trajectories import load_trajectories

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingExtraError, match=r"art-duckdb\[notebook\]"):
        asyncio.run(load_trajectories("p"))


async def test_finish_and_track_duration_time_the_rollout_as_art_does() -> None:
    t = art.Trajectory(reward=1.0)
    for _ in range(2):
        async with t.track_duration("llm"):
            await asyncio.sleep(0.02)
    assert t.finish() is t and t.metrics["duration"] >= 0.04
    assert 0.04 <= t.metrics["llm_duration"] <= t.metrics["duration"]
    assert "start_time" not in t.model_dump()  # never stored


def test_a_naive_start_time_is_utc_so_finish_can_time_it() -> None:
    from datetime import UTC, datetime, timedelta

    t = art.Trajectory(start_time=datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5))
    assert t.start_time.tzinfo is UTC
    assert 5 <= t.finish().metrics["duration"] < 60


def test_trajectories_equal_whenever_made_and_with_a_nan_reward(tmp_path: Path) -> None:
    """Equality leaves `start_time` out; a NaN reward (stored as NaN) still equals itself, its
    copy and the trajectory read back, as pydantic's own equality has it for the same object."""
    with pytest.warns(art.trajectories.NanRewardWarning):
        t = art.Trajectory(reward=float("nan"), metrics={"a": 1})
        assert art.Trajectory(reward=float("nan")) != art.Trajectory(reward=1.0)
    assert t == t and t.model_copy() == t
    assert art.Trajectory(reward=1.0) == art.Trajectory(reward=1.0)
    write_trajectory_groups_parquet([art.TrajectoryGroup([t])], tmp_path / "g.parquet")
    assert read_trajectory_groups_parquet(tmp_path / "g.parquet")[0].trajectories == [t]


async def test_output_dirs_name_the_folders_a_model_logs_into(tmp_path: Path) -> None:
    from art.errors import InvalidNameError
    from art.utils import output_dirs as od

    model = art.TrainableModel(
        name="agent", run_name="run-1", project="proj", base_model="b", base_path=str(tmp_path)
    )
    await model.log([art.TrajectoryGroup([art.Trajectory(reward=1.0)])], split="val", step=3)
    model_dir = od.get_model_dir(model, str(tmp_path))
    assert model_dir == f"{tmp_path}/proj/models/run-1"
    assert (Path(od.get_trajectories_split_dir(model_dir, "val")) / "0003.parquet").is_file()
    assert od.get_step_checkpoint_dir(model_dir, 7) == f"{model_dir}/checkpoints/0007"
    assert od.get_step_checkpoint_dir(model_dir, Int64(12)) == f"{model_dir}/checkpoints/0012"  # numpy's
    with pytest.raises(InvalidNameError, match="step"):
        od.get_step_checkpoint_dir(model_dir, True)
    assert od.get_models_dir("proj") == ".art/proj/models" == od.get_default_art_path() + "/proj/models"
    with pytest.raises(InvalidNameError, match="project"):
        od.get_models_dir("../etc")
    with pytest.raises(InvalidNameError, match="split"):
        od.get_trajectories_split_dir(model_dir, "a/b")


class Int64:
    """An integer that is not an `int`, as numpy's and pandas' are (`__index__` only)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def test_integers_that_are_not_int_are_taken_as_art_takes_them() -> None:
    """`initial_step=df.step.max()` (a numpy integer) resumes as ART does, not refused."""
    got = list(iterate_dataset(list(range(10)), Int64(3), Int64(2), Int64(5), use_tqdm=False))  # type: ignore[arg-type]
    assert got == batches(3, 2, 5)
    assert all(type(b.step) is int for b in got)
    limit_concurrency(Int64(2))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="initial_step"):
        iterate_dataset([1], 1, 1, 1.5)  # type: ignore[arg-type]


def test_prints_in_the_loop_stay_on_stdout_when_it_is_redirected() -> None:
    """`python train.py > log.txt` on a terminal: the loop's prints reach log.txt, not the bar's
    stderr (rich's live display would otherwise take stdout over for the whole loop)."""
    code = (
        "from art.utils import iterate_dataset\n"
        "for batch in iterate_dataset(['a', 'b', 'c']):\n"
        "    print('step', batch.step)\n"
    )
    out = run_script(code, terminal=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "step 0\nstep 1\nstep 2\n"
    assert "Iterating dataset" in out.stderr


def test_the_cursor_comes_back_when_a_held_loop_is_interrupted() -> None:
    """Ctrl-C inside an async loop whose generator is held in a variable: the traceback keeps
    it alive past exit, so the display must still be stopped (cursor shown) at exit."""
    code = (
        "import asyncio\n"
        "from art.utils import iterate_dataset\n"
        "async def main():\n"
        "    batches = iterate_dataset(list(range(4)))\n"
        "    for batch in batches:\n"
        "        raise KeyboardInterrupt\n"
        "asyncio.run(main())\n"
    )
    out = run_script(code, terminal=True)
    assert out.returncode != 0 and "KeyboardInterrupt" in out.stderr
    hidden, shown = out.stderr.rfind("\x1b[?25l"), out.stderr.rfind("\x1b[?25h")
    assert hidden >= 0 and shown > hidden


def test_art_utils_is_an_attribute_of_art_as_in_art() -> None:
    code = "import art\nprint(art.utils.iterate_dataset.__name__, art.utils.trajectory_logging.__name__)\n"
    out = run_script(code, terminal=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "iterate_dataset art.utils.trajectory_logging\n"


def test_a_rollout_ending_after_its_gather_failed_does_not_break_the_outer_bar() -> None:
    """A gather that raised (too many exceptions) leaves rollouts running; each one finishing
    later advances the gather's closed bar, which must stay quiet while the loop's bar is live."""
    from art.progress import Bar

    outer = Bar("Iterating dataset", 1)
    inner = Bar("gather", 2)
    inner.close()
    inner.advance(1, "reward=1")  # a late rollout of the failed gather
    inner.close()
    outer.advance()
    outer.close()


def test_trajectory_files_as_arts_reader_and_writer_take_them(tmp_path: Path) -> None:
    """A missing file is FileNotFoundError (scripts catch it to start fresh), and any iterable
    of groups is written, as openpipe-art does."""
    with pytest.raises(FileNotFoundError):
        read_trajectory_groups_parquet(tmp_path / "missing.parquet")
    path = str(tmp_path / "gen.parquet")
    write_trajectory_groups_parquet(
        (art.TrajectoryGroup([art.Trajectory(reward=float(r))]) for r in range(2)),  # type: ignore[arg-type]
        path,
    )
    assert [g.trajectories[0].reward for g in read_trajectory_groups_parquet(path)] == [0.0, 1.0]


def test_a_file_given_as_a_link_is_written_through_it(tmp_path: Path) -> None:
    """As ART (and open()) write it: the link stays, the file it names gets the groups."""
    real = tmp_path / "real.parquet"
    write_trajectory_groups_parquet([], real)
    link = tmp_path / "latest.parquet"
    link.symlink_to(real)
    write_trajectory_groups_parquet([art.TrajectoryGroup([art.Trajectory(reward=1.0)])], link)
    assert link.is_symlink()
    assert [g.trajectories[0].reward for g in read_trajectory_groups_parquet(real)] == [1.0]


def test_the_display_is_not_redrawn_while_the_loop_body_runs() -> None:
    """A `breakpoint()` (or a slow step) in the loop's body: no timer repaints the bar over
    the prompt ten times a second; ART's tqdm bar is drawn only when it moves, too."""
    code = (
        "import time\n"
        "from art.utils import iterate_dataset\n"
        "for batch in iterate_dataset(['a']):\n"
        "    time.sleep(1.0)\n"
    )
    out = run_script(code, terminal=True)
    assert out.returncode == 0, out.stderr
    assert 1 <= out.stderr.count("Iterating dataset") < 6
