"""`art plot P A B -m METRIC`: when one of the runs never logged the metric, the error said "for
this model" and left the user to guess which of A and B it was."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art.cli import app
from tests.conftest import traj

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs of one project; only `trained` logs train/loss."""
    base = tmp_path_factory.mktemp("plot") / ".art"

    async def fill() -> None:
        for name in ("evaluated", "trained"):
            model = art.Model(name=name, project="p", base_path=str(base), report_metrics=[])
            await model.log([art.TrajectoryGroup([traj(0.5)])], split="val", step=1)
            if name == "trained":
                await model.log(metrics={"train/loss": 0.3}, step=2)

    asyncio.run(fill())
    return base


@pytest.mark.parametrize("command", [["plot", "p", "trained", "evaluated"], ["history", "p", "evaluated"]])
def test_the_run_that_lacks_the_metric_is_named(store: Path, tmp_path: Path, command: list[str]) -> None:
    out = ["-o", str(tmp_path / "c.png")] if command[0] == "plot" else []
    result = runner.invoke(app, [*command, "-m", "train/loss", "-b", str(store), *out])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: metric 'train/loss' was never logged for p/evaluated;")
    assert not (tmp_path / "c.png").exists()
