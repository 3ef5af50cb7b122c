"""The step metrics of a log() call, on hand-computed cases and against ART's own files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from art import TrajectoryGroup
from art.store.metrics import step_metrics
from art.store.parquet_read import read_groups

from .conftest import DATA, group, traj


def metrics_of(groups: list[TrajectoryGroup], split: str = "val") -> dict[str, float]:
    return step_metrics(groups, split)


def test_reward_is_the_mean_over_all_trajectories_not_over_groups() -> None:
    m = metrics_of([group(1.0, 0.0, 0.5), group(0.0)])
    assert m["val/reward"] == pytest.approx(1.5 / 4)


def test_reward_std_dev_is_the_mean_of_population_stds_of_groups_with_two_or_more() -> None:
    m = metrics_of([group(1.0, 0.0), group(0.2, 0.4, 0.6), group(5.0)])
    pop_a = 0.5
    pop_b = math.sqrt(((0.2 - 0.4) ** 2 + 0 + (0.6 - 0.4) ** 2) / 3)
    assert m["val/reward_std_dev"] == pytest.approx((pop_a + pop_b) / 2, abs=1e-12)


def test_reward_std_dev_is_zero_when_no_group_has_two_trajectories() -> None:
    m = metrics_of([group(1.0), group(0.0)])
    assert m["val/reward_std_dev"] == 0.0


def test_exception_rate_counts_exceptions() -> None:
    flat = TrajectoryGroup([traj(1.0), traj(0.0), ValueError("x")])
    m = metrics_of([flat])
    assert m["val/exception_rate"] == pytest.approx(1 / 3)
    assert m["val/reward"] == 0.5
    assert m["val/reward_std_dev"] == 0.5


def test_only_exception_group_gives_rate_one_and_no_reward() -> None:
    m = metrics_of([TrajectoryGroup([ValueError("a"), RuntimeError("b")])])
    assert m == {"val/exception_rate": 1.0, "val/reward_std_dev": 0.0}


def test_empty_call_has_only_reward_std_dev() -> None:
    assert metrics_of([]) == {"val/reward_std_dev": 0.0}


def test_trajectory_metric_mean_over_trajectories_that_carry_it_bool_as_0_1() -> None:
    g = TrajectoryGroup(
        [
            traj(0.0, {"correct": True, "turns": 3}),
            traj(0.0, {"correct": False}),
            traj(0.0, {"turns": 4, "latency": 0.5}),
        ]
    )
    m = metrics_of([g], split="train")
    assert m["train/correct"] == 0.5
    assert m["train/turns"] == 3.5
    assert m["train/latency"] == 0.5


def test_keys_come_in_arts_history_order() -> None:
    """openpipe-art 0.5.23's order (the compat test holds a whole history line to it)."""
    g = TrajectoryGroup([traj(0.0, {"b": 1, "a": 2})], metrics={"judge": 1.0, "aa": 2.0})
    keys = list(metrics_of([g]))
    assert keys == [
        "val/b",
        "val/a",
        "val/group/judge",
        "val/group/aa",
        "val/reward",
        "val/reward_std_dev",
        "val/exception_rate",
    ]


def test_group_metric_is_averaged_over_groups_with_trajectories_only() -> None:
    g1 = TrajectoryGroup([traj(0.0)], metrics={"judge": 3.0})
    g2 = TrajectoryGroup([ValueError("x")], metrics={"judge": 100.0})
    g3 = TrajectoryGroup([traj(0.0), traj(1.0)], metrics={"judge": 1.0})
    assert metrics_of([g1, g2, g3])["val/group/judge"] == 2.0


def test_nan_trajectory_metric_makes_the_mean_nan() -> None:
    m = metrics_of([TrajectoryGroup([traj(0.0, {"m": float("nan")}), traj(0.0, {"m": 1.0})])])
    assert math.isnan(m["val/m"])


def _history_rows(store: Path) -> list[dict]:
    lines = (store / "history.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("split", ["train", "val"])
def test_metrics_match_art_0_5_23_history_for_its_own_files(split: str) -> None:
    """Recompute each step of ART 0.5.23's fixture from its parquet files with our SQL."""
    store = DATA / "art-0.5.23" / "art-fixture" / "models" / "agent-run"
    rows = [r for r in _history_rows(store) if f"{split}/reward" in r]
    assert rows
    for row in rows:
        groups = read_groups(store / "trajectories" / split / f"{row['step']:04d}.parquet")
        ours = step_metrics(groups, split)
        theirs = {k: v for k, v in row.items() if k.startswith(f"{split}/") and "/data/" not in k}
        assert set(ours) == set(theirs), row["step"]
        for key, value in theirs.items():
            assert ours[key] == pytest.approx(value, abs=1e-9), (row["step"], key)


def test_nan_reward_is_left_out_of_the_reward_and_its_groups_std_dev() -> None:
    with pytest.warns(UserWarning):
        nan = traj(float("nan"))
    m = metrics_of([TrajectoryGroup([nan, traj(1.0)]), group(0.0, 1.0)])
    assert m["val/reward"] == pytest.approx(2 / 3)
    assert m["val/reward_std_dev"] == 0.5  # the first group has one reward left: no std dev


def test_nan_group_metric_makes_the_mean_nan() -> None:
    g1 = TrajectoryGroup([traj(0.0)], metrics={"judge": float("nan")})
    g2 = TrajectoryGroup([traj(0.0)], metrics={"judge": 1.0})
    assert math.isnan(metrics_of([g1, g2])["val/group/judge"])


@pytest.mark.parametrize("name", ["reward", "exception_rate"])
def test_a_trajectory_metric_named_as_a_step_metric_gives_way_to_it(name: str) -> None:
    """ART 0.5.23 (Model.log) averages the trajectory metric under `<split>/<name>`, then sets
    that key to the real reward or exception rate: the real one is what its history holds."""
    g = TrajectoryGroup([traj(1.0, {name: 7.0}), traj(1.0, {name: 7.0}), ValueError("x")])
    m = metrics_of([g])
    assert m["val/reward"] == 1.0
    assert m["val/exception_rate"] == pytest.approx(1 / 3)
