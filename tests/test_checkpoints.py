"""Best checkpoint choice (sql/best_step.sql) and checkpoint deletion, on hand-computed cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from art import LocalBackend, TrainableModel
from art.errors import MetricNotFoundError, MissingMetricWarning, NoTrainerError, NotRegisteredError
from art.local.backend import checkpoint_steps, delete_checkpoints

from .conftest import group


async def make_model(tmp_path: Path, checkpoints: range = range(11)) -> TrainableModel:
    model = TrainableModel(name="agent", project="proj", base_model="tiny", report_metrics=[])
    await model.register(LocalBackend(path=tmp_path))
    for step in checkpoints:
        (model.paths.checkpoint_dir(step)).mkdir(parents=True)
        (model.paths.checkpoint_dir(step) / "adapter.bin").write_bytes(b"x")
    return model


async def log_values(model: TrainableModel, values: dict[int, float | list[float]], key="reward") -> None:
    for step, v in values.items():
        for value in v if isinstance(v, list) else [v]:
            await model.log(split="val", step=step, metrics={key: value})


def remaining(model: TrainableModel) -> list[int]:
    return sorted(int(p.name) for p in model.paths.checkpoints.iterdir() if p.name.isdigit())


async def test_simple_max_keeps_latest_and_best(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {0: 0.1, 2: 0.5, 4: 0.9, 6: 0.3, 8: 0.2})
    assert await m.best_step() == (4, 0.9)
    assert await m.delete_checkpoints() == [4, 10]
    assert remaining(m) == [4, 10]


async def test_min_mode_for_losses(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {1: 0.9, 2: 0.4, 3: 0.7}, key="loss")
    assert (await m.best_step("val/loss", mode="min"))[0] == 2
    assert (await m.best_step("val/loss"))[0] == 1


async def test_several_rows_per_step_use_the_mean_of_rows(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {4: [0.8, 0.8], 6: [0.95, 0.05]})
    assert await m.best_step() == (4, pytest.approx(0.8))


async def test_ties_go_to_the_latest_step_every_time(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {2: 0.7, 5: 0.1, 8: 0.7, 9: 0.2})
    for _ in range(5):
        assert (await m.best_step())[0] == 8
    assert await m.delete_checkpoints() == [8, 10]
    assert await m.delete_checkpoints() == [8, 10]
    assert remaining(m) == [8, 10]


async def test_window_three_prefers_a_steady_stretch_over_a_spike(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {0: 0.0, 1: 1.0, 2: 0.0, 3: 0.6, 4: 0.6, 5: 0.6, 6: 0.0})
    assert (await m.best_step(smoothing_window=1))[0] == 1
    step, smoothed = await m.best_step(smoothing_window=3)
    assert (step, smoothed) == (5, pytest.approx(0.6))


async def test_only_full_windows_compete(tmp_path: Path) -> None:
    """Step 0's partial window (just 1.0) would win if partial windows counted."""
    m = await make_model(tmp_path)
    await log_values(m, {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.5, 4: 0.5})
    step, smoothed = await m.best_step(smoothing_window=3)
    assert (step, smoothed) == (4, pytest.approx(1 / 3))


async def test_window_five_counts_evaluations_not_steps(tmp_path: Path) -> None:
    m = await make_model(tmp_path, range(0, 61, 10))
    await log_values(m, {0: 0.1, 10: 0.2, 20: 0.9, 30: 0.3, 40: 0.4, 50: 0.5, 60: 0.1})
    step, smoothed = await m.best_step(smoothing_window=5)
    # windows end at 40: 0.38, 50: 0.46, 60: 0.44
    assert step == 50 and smoothed == pytest.approx((0.2 + 0.9 + 0.3 + 0.4 + 0.5) / 5)


async def test_fewer_evaluations_than_the_window_use_one_window_over_all(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {0: 0.2, 1: 0.8, 2: 0.5})
    assert await m.best_step(smoothing_window=5) == (2, pytest.approx(0.5))


async def test_missing_metric_warns_deletes_nothing_and_best_step_lists_metrics(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {1: 0.5})
    with pytest.warns(MissingMetricWarning, match=r'No "val/acc" metric found.*exist: .*val/reward'):
        assert await m.delete_checkpoints("val/acc") == list(range(11))
    assert remaining(m) == list(range(11))
    with pytest.raises(MetricNotFoundError, match=r"'val/acc'.*val/reward"):
        await m.best_step("val/acc")


async def test_missing_history_warns_and_deletes_nothing(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    with pytest.warns(MissingMetricWarning):
        assert await m.delete_checkpoints() == list(range(11))
    assert remaining(m) == list(range(11))
    with pytest.raises(MetricNotFoundError, match="nothing has been logged"):
        await m.best_step()


async def test_nan_is_never_stored_so_it_never_wins(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    with pytest.warns(UserWarning):
        await log_values(m, {1: 0.3, 2: float("nan"), 3: 0.2})
    assert (await m.best_step())[0] == 1


async def test_other_splits_rows_are_ignored(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await m.log([group(1.0, 1.0)], split="train", step=3)
    await m.log([group(0.2, 0.2)], split="val", step=2)
    await m.log([group(0.1, 0.1)], split="val", step=4)
    assert (await m.best_step("val/reward"))[0] == 2


async def test_top_k_and_last_n(tmp_path: Path) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {0: 0.5, 2: 0.9, 4: 0.7, 6: 0.8, 8: 0.1})
    kept = await m.delete_checkpoints(keep_top_k=2, keep_last_n=3)
    assert kept == [2, 6, 8, 9, 10]
    assert remaining(m) == kept


@pytest.mark.parametrize(
    "kwargs", [{"smoothing_window": 0}, {"mode": "median"}, {"keep_top_k": 0}, {"keep_last_n": 0}]
)
async def test_bad_arguments_are_refused_before_deleting(tmp_path: Path, kwargs: dict) -> None:
    m = await make_model(tmp_path)
    await log_values(m, {1: 0.5})
    with pytest.raises(ValueError):
        await m.delete_checkpoints(**kwargs)
    assert remaining(m) == list(range(11))


def test_delete_checkpoint_files_leaves_files_and_other_names_alone(tmp_path: Path) -> None:
    ck = tmp_path / "checkpoints"
    for name in ("0001", "0002", "0003", "latest", "12a", "²", "٧"):  # not ASCII digits: not steps
        (ck / name).mkdir(parents=True)
    (ck / "0004").write_text("a file named like a step")
    (ck / "notes.txt").write_text("keep me")
    outside = tmp_path / "outside"
    (outside / "0009").mkdir(parents=True)
    (ck / "0009").symlink_to(outside / "0009")
    deleted = delete_checkpoints(ck, [2])
    assert sorted(p.name for p in deleted) == ["0001", "0003"]
    left = ["0002", "0004", "0009", "12a", "latest", "notes.txt", "²", "٧"]
    assert sorted(p.name for p in ck.iterdir()) == left
    assert checkpoint_steps(ck) == [2]
    assert (outside / "0009").is_dir()


async def test_get_step_is_the_largest_checkpoint(tmp_path: Path) -> None:
    m = await make_model(tmp_path, range(3))
    assert await m.get_step() == 2
    empty = TrainableModel(name="fresh", project="proj", base_model="tiny", report_metrics=[])
    await empty.register(LocalBackend(path=tmp_path))
    assert await empty.get_step() == 0


async def test_register_points_the_model_at_the_backend_and_writes_model_json(tmp_path: Path) -> None:
    m = await make_model(tmp_path, range(0))
    assert m.base_path == str(tmp_path)
    import json

    doc = json.loads(m.paths.model_json.read_text())
    assert doc["name"] == "agent" and doc["base_model"] == "tiny" and doc["trainable"] is True


async def test_train_without_a_trainer_or_backend_fails_clearly(tmp_path: Path) -> None:
    m = await make_model(tmp_path, range(0))
    with pytest.raises(NoTrainerError, match="trainer"):
        await m.train([group(1.0, 0.0)])
    lone = TrainableModel(name="lone", project="proj", base_model="tiny", base_path=str(tmp_path))
    with pytest.raises(NotRegisteredError, match="register"):
        await lone.train([group(1.0)])
