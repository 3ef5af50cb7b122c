"""Model.log(): what lands on disk, in which shape, and what is refused without a trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from art import Model, Trajectory, TrajectoryGroup
from art.errors import InvalidNameError
from art.store.history import NonFiniteMetricWarning
from art.store.parquet_read import read_groups

from .conftest import group, traj


def model(tmp_path: Path, name: str = "agent", project: str = "proj") -> Model:
    return Model(name=name, project=project, base_path=str(tmp_path), report_metrics=[])


def history(tmp_path: Path, name: str = "agent") -> list[dict]:
    path = tmp_path / "proj" / "models" / name / "history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_log_writes_arts_layout_and_history_row(tmp_path: Path) -> None:
    m = model(tmp_path)
    row = await m.log([group(1.0, 0.0)], split="val", step=7)
    assert (tmp_path / "proj/models/agent/trajectories/val/0007.parquet").is_file()
    [line] = history(tmp_path)
    assert list(line)[-3:] == ["training_step", "step", "recorded_at"]
    assert line["step"] == 7 and line["training_step"] == 7
    assert line["val/reward"] == 0.5 and row["val/reward"] == 0.5
    assert "+" in line["recorded_at"] or line["recorded_at"].endswith("Z")


async def test_plain_model_logs_at_step_zero_by_default(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0)])
    assert history(tmp_path)[0]["step"] == 0
    assert (tmp_path / "proj/models/agent/trajectories/val/0000.parquet").is_file()


async def test_flat_list_of_trajectories_and_exceptions_is_one_group(tmp_path: Path) -> None:
    m = model(tmp_path)
    row = await m.log([traj(1.0), traj(0.0), ValueError("boom")], split="val", step=3)
    assert row["val/exception_rate"] == pytest.approx(1 / 3)
    [g] = read_groups(tmp_path / "proj/models/agent/trajectories/val/0003.parquet")
    assert len(g.trajectories) == 2 and g.exceptions[0].message == "boom"


async def test_same_split_and_step_replaces_the_file_and_appends_history(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0)], split="val", step=1)
    await m.log([group(0.0, 0.0)], split="val", step=1)
    [g] = read_groups(tmp_path / "proj/models/agent/trajectories/val/0001.parquet")
    assert len(g.trajectories) == 2
    assert [r["val/reward"] for r in history(tmp_path)] == [1.0, 0.0]


async def test_caller_metrics_are_prefixed_unless_already_under_a_split(tmp_path: Path) -> None:
    m = model(tmp_path)
    row = await m.log(
        split="train",
        step=2,
        metrics={"loss": 0.5, "val/acc": 0.9, "train/lr": 1e-5, "test/x": 1, "custom/y": 2},
    )
    assert row == {
        "train/loss": 0.5,
        "val/acc": 0.9,
        "train/lr": 1e-5,
        "test/x": 1,
        "train/custom/y": 2,
    }
    assert not (tmp_path / "proj/models/agent/trajectories").exists()


async def test_non_finite_values_are_dropped_with_a_warning(tmp_path: Path) -> None:
    m = model(tmp_path)
    g = TrajectoryGroup([traj(0.0, {"m": float("nan"), "ok": 1.0})])
    with pytest.warns(NonFiniteMetricWarning, match="val/m.*val/inf"):
        await m.log([g], metrics={"inf": float("inf")})
    text = (tmp_path / "proj/models/agent/history.jsonl").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert history(tmp_path)[0]["val/ok"] == 1.0


@pytest.mark.parametrize(
    "field,value",
    [
        ("project", ""),
        ("project", "../x"),
        ("project", "/abs"),
        ("model", "a/b"),
        ("model", "a\\b"),
        ("model", "nul\x00"),
        ("model", "tab\tname"),
        ("model", ".hidden"),
        ("model", ".."),
    ],
)
def test_bad_names_are_refused_naming_the_field(tmp_path: Path, field: str, value: str) -> None:
    kwargs = {"name": "ok", "project": "ok", field if field != "model" else "name": value}
    with pytest.raises(ValueError, match=field):
        Model(**kwargs, base_path=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("split", ["", "../val", "a/b", "data", "val\n"])
async def test_bad_split_is_refused_and_nothing_is_written(tmp_path: Path, split: str) -> None:
    m = model(tmp_path)
    with pytest.raises(InvalidNameError, match="split"):
        await m.log([group(1.0)], split=split)
    assert not (tmp_path / "proj").exists()


async def test_non_scalar_metadata_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="metadata\\['obj'\\]"):
        Trajectory(messages_and_choices=[], reward=0.0, metadata={"obj": object()})
    with pytest.raises(ValueError, match="reward"):
        Trajectory(messages_and_choices=[], reward=float("inf"))


async def test_bad_caller_metric_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0)], step=0)
    before = (tmp_path / "proj/models/agent/history.jsonl").read_bytes()
    with pytest.raises(ValueError, match="metrics\\['note'\\]"):
        await m.log([group(0.0)], step=1, metrics={"note": "text"})
    assert (tmp_path / "proj/models/agent/history.jsonl").read_bytes() == before
    assert not (tmp_path / "proj/models/agent/trajectories/val/0001.parquet").exists()


async def test_a_torn_last_history_line_is_cut_off_so_polars_reads_the_file(tmp_path: Path) -> None:
    import polars as pl  # ART reads history.jsonl with polars

    m = model(tmp_path)
    await m.log([group(1.0)], step=0)
    path = tmp_path / "proj/models/agent/history.jsonl"
    with path.open("a") as f:
        f.write('{"val/reward": 0.3, "st')
    await m.log([group(0.5)], step=1)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [0, 1]
    assert pl.read_ndjson(path)["step"].to_list() == [0, 1]
