"""`art runs --config KEY`: a key no run's config holds (a typo: `learning-rate`) showed an empty
column and exit 0; it is an error naming the keys that exist, as for a metric."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from art.cli import app
from art.demo import run_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cfg") / ".art"
    asyncio.run(run_demo(base, steps=2, seed=7, smoothing_window=1))
    asyncio.run(run_demo(base, steps=2, seed=3, smoothing_window=1))
    return base


def test_a_config_key_no_run_has_is_an_error_with_close_matches(store: Path) -> None:
    result = runner.invoke(app, ["runs", "-b", str(store), "--config", "learning-rate"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: no config key 'learning-rate'")
    assert "did you mean learning_rate" in result.stderr


def test_config_keys_that_exist_show_their_values(store: Path) -> None:
    result = runner.invoke(app, ["runs", "-b", str(store), "-c", "seed", "--csv"])
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.endswith("config.seed") and sorted(r.rsplit(",", 1)[1] for r in rows) == ["3", "7"]
