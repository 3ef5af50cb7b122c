"""`art history --pivot --window N`: the columns held the trailing means under the bare metric
names, so an export read as the logged values; with N > 1 the column says it is smoothed."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pivot") / ".art"

    async def fill() -> None:
        model = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
        for step, loss in enumerate([4.0, 2.0, 0.0]):
            await model.log(metrics={"train/loss": loss}, step=step)

    asyncio.run(fill())
    return base


def pivot(store: Path, *window: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["history", "p", "m", "--pivot", "--csv", "-b", str(store), *window])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_without_a_window_the_columns_are_the_logged_values(store: Path) -> None:
    assert [r["train/loss"] for r in pivot(store)] == ["4.0", "2.0", "0.0"]


def test_with_a_window_the_columns_say_they_are_trailing_means(store: Path) -> None:
    rows = pivot(store, "--window", "2")
    assert list(rows[0]) == ["step", "train/loss (mean of 2)"]
    assert [r["train/loss (mean of 2)"] for r in rows] == ["4.0", "3.0", "1.0"]
