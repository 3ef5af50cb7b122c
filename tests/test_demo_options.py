"""`art demo --name` with a name a model cannot have printed pydantic's traceback (exit 1)."""

from __future__ import annotations

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
