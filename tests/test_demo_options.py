"""`art demo --name` with a name a model cannot have printed pydantic's traceback (exit 1)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from art.cli import app

runner = CliRunner()


@pytest.mark.parametrize("name", ["bad/name", "..", ""])
def test_a_bad_demo_name_is_a_usage_error_that_names_it(tmp_path: Path, name: str) -> None:
    base = tmp_path / ".art"
    result = runner.invoke(app, ["demo", "--steps", "1", "--name", name, "-b", str(base)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: invalid --name {name!r}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output and not base.exists()


def test_the_command_demo_suggests_runs_as_written(tmp_path: Path) -> None:
    """Its `try:` line lacked the store it wrote to (-b) and split a name with a space in two."""
    base = tmp_path / "my store"
    result = runner.invoke(app, ["demo", "--steps", "2", "--name", "a b", "-b", str(base)])
    assert result.exit_code == 0, result.output
    suggested = next(line for line in result.stdout.splitlines() if line.startswith("try: art "))
    again = runner.invoke(app, shlex.split(suggested.removeprefix("try: art ")))
    assert again.exit_code == 0, again.output
    assert "val/reward" in again.stdout
