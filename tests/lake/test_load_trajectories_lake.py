"""`art.utils.benchmarking.load_trajectories` on a DuckLake store: the frame a local store
with the same logs gives (one shared SQL query over the public views)."""

from __future__ import annotations

from pathlib import Path

import pytest

from art import LocalStore, Model
from art.store.lake import DuckLakeStore
from art.utils.benchmarking.load_trajectories import load_trajectories

from ..servers import Lake
from .fixtures import fresh_lake
from .test_lake import groups_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lake(lake_servers: Lake) -> DuckLakeStore:
    return fresh_lake(lake_servers)


async def test_the_same_frame_as_a_local_stores(lake: DuckLakeStore, tmp_path: Path) -> None:
    local = LocalStore(tmp_path / "local")
    for store in (local, lake):
        for name in ("a", "b"):
            model = Model(name=name, project="frame", report_metrics=[], store=store)
            for step in range(3):
                await model.log(groups_for(step), split="train", step=step)
            await model.log(groups_for(50), split="val", step=2)
    ours = await load_trajectories("frame", art_path=local)
    theirs = await load_trajectories("frame", art_path=lake)
    assert ours.height == 2 * 4 * 6 and ours.equals(theirs)
    only_b = await load_trajectories("frame", models=["b"], art_path=lake)
    assert only_b.height == 24 and set(only_b["model"]) == {"b"}
