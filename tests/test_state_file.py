"""state.json is parsed once per process and kept; these check that the kept copy never
hides what is in the file, never counts a failed call, and is written as json would."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import art
from art.errors import OutsideStoreError

from .conftest import group


def model(base: Path) -> art.Model:
    return art.Model(name="m", project="p", base_path=str(base), report_metrics=[])


def state(m: art.Model) -> dict:
    return json.loads((m.paths.model_dir / "state.json").read_text())


async def test_a_state_json_rewritten_between_calls_is_read_again(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0, 0.0)], split="train", step=0)
    assert state(m)["_metrics_builder_state"]["cum_state"]["data/cum/num_trajectories"] == 2.0
    # another process (or ART's merge_state) rewrites the file: other totals, the user's own key
    doc = state(m)
    doc["_metrics_builder_state"]["cum_state"]["data/cum/num_trajectories"] = 100.0
    doc["dataset_offset"] = 7
    (m.paths.model_dir / "state.json").write_text(json.dumps(doc, indent=2))
    row = await model(tmp_path).log([group(1.0, 0.0)], split="train", step=1)
    assert row["data/cum/num_trajectories"] == 102.0
    assert state(m)["dataset_offset"] == 7


async def test_a_failed_call_does_not_count_in_the_next_calls_totals(tmp_path: Path) -> None:
    m = model(tmp_path)
    await m.log([group(1.0, 0.0)], split="train", step=0)
    blocker = m.paths.model_dir / "trajectories" / "train"
    blocker.rename(blocker.with_name("aside"))
    blocker.write_text("not a folder")  # the step's parquet write fails after the totals advanced
    with pytest.raises(OutsideStoreError):
        await m.log([group(1.0, 0.0)], split="train", step=1)
    blocker.unlink()
    blocker.with_name("aside").rename(blocker)
    row = await m.log([group(1.0, 0.0)], split="train", step=1)
    assert row["data/cum/num_trajectories"] == 4.0
    assert state(m)["_metrics_builder_state"]["cum_state"]["data/cum/num_trajectories"] == 4.0


async def test_state_json_keeps_json_s_text_for_nan_and_non_ascii(tmp_path: Path) -> None:
    m = model(tmp_path)
    m.paths.model_dir.mkdir(parents=True)
    (m.paths.model_dir / "state.json").write_text(json.dumps({"best": float("nan")}))
    await m.log([group(1.0, 0.0, metadata={"scenario_id": "café"})], split="train", step=0)
    text = (m.paths.model_dir / "state.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2)  # json's own layout and escapes
    doc = json.loads(text)
    assert math.isnan(doc["best"])
    assert doc["_metrics_builder_state"]["unique_scenario_ids"] == ["café"]


async def test_scenario_ids_are_written_in_the_order_first_seen(tmp_path: Path) -> None:
    m = model(tmp_path)
    for step, sid in enumerate(["b", "a", "c", "a"]):
        await m.log([group(1.0, 0.0, metadata={"scenario_id": sid})], split="train", step=step)
    text = (m.paths.model_dir / "state.json").read_text()
    assert json.loads(text)["_metrics_builder_state"]["unique_scenario_ids"] == ["b", "a", "c"]
    assert text == json.dumps(json.loads(text), indent=2)
