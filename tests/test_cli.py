"""The `art` command: every command documented, tables and JSON, read-only SQL, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from art import Model
from art.cli import app

from .conftest import group

runner = CliRunner()
README = Path(__file__).parent.parent / "README.md"
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.fixture
async def store(tmp_path: Path) -> Path:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    for step, reward in enumerate([0.2, 0.9, 0.4, 0.5]):
        await m.log([group(reward, reward)], split="val", step=step)
        await m.log(split="train", step=step, metrics={"loss": 1.0 - reward})
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "--base-path" in result.output
    assert f"art {command}" in README.read_text()


def test_python_dash_m_art_works() -> None:
    out = subprocess.run([sys.executable, "-m", "art", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "best-step" in out.stdout


def test_runs_in_json_and_as_a_table(store: Path) -> None:
    result = runner.invoke(app, ["runs", "--base-path", str(store), "--json"])
    [run] = json.loads(result.output)
    assert (run["project"], run["model"], run["last_step"], run["trajectories"]) == ("proj", "agent", 3, 8)
    table = runner.invoke(app, ["runs", "-b", str(store)])
    assert table.exit_code == 0 and "agent" in table.output


def test_history_with_a_window(store: Path) -> None:
    result = runner.invoke(
        app, ["history", "proj", "agent", "-m", "val/reward", "-w", "2", "-b", str(store), "--json"]
    )
    rows = json.loads(result.output)
    assert [r["step"] for r in rows] == [0, 1, 2, 3]
    assert [round(r["smoothed"], 6) for r in rows] == [0.2, 0.55, 0.65, 0.45]


def test_history_as_csv(store: Path) -> None:
    result = runner.invoke(app, ["history", "proj", "agent", "-s", "train", "-b", str(store), "--csv"])
    lines = result.output.strip().splitlines()
    assert lines[0] == "split,metric,step,value,smoothed" and len(lines) == 5


def test_best_step(store: Path) -> None:
    result = runner.invoke(
        app, ["best-step", "proj", "agent", "-m", "val/reward", "-b", str(store), "--json"]
    )
    assert json.loads(result.output)[0]["step"] == 1
    result = runner.invoke(
        app, ["best-step", "proj", "agent", "-m", "train/loss", "--mode", "min", "-b", str(store), "--json"]
    )
    assert json.loads(result.output)[0]["step"] == 1


def test_unknown_metric_is_one_line_on_stderr_with_exit_1(store: Path) -> None:
    result = runner.invoke(app, ["best-step", "proj", "agent", "-m", "val/nope", "-b", str(store)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "val/reward" in result.stderr
    assert "Traceback" not in result.output


def test_bad_usage_exits_2(store: Path) -> None:
    assert runner.invoke(app, ["history", "proj"]).exit_code == 2


def test_sql_reads_and_refuses_writes(store: Path) -> None:
    result = runner.invoke(
        app, ["sql", "SELECT count(*) AS n FROM trajectories WHERE split = 'val'", "-b", str(store), "--json"]
    )
    assert json.loads(result.output) == [{"n": 8}]
    for statement in (
        "SELECT 1; COPY history TO 'y.csv'",
        "COPY history TO 'x.csv'",
        "ATTACH 'other.duckdb' AS o",
    ):
        result = runner.invoke(app, ["sql", statement, "-b", str(store)])
        assert result.exit_code == 1 and "refused" in result.stderr, statement
    again = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM history", "-b", str(store), "--json"])
    assert json.loads(again.output)[0]["n"] > 0


def test_rebuild(store: Path) -> None:
    (store / "catalog.duckdb").unlink(missing_ok=True)
    result = runner.invoke(app, ["rebuild", "-b", str(store)])
    assert result.exit_code == 0 and "1 model" in result.output


def test_plot_writes_a_png(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "curve.png"
    result = runner.invoke(
        app, ["plot", "proj", "agent", "-m", "val/reward", "-w", "2", "-o", str(out), "-b", str(store)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_plot_names_its_file_and_refuses_a_format_it_cannot_write(store: Path, tmp_path: Path) -> None:
    """`-o curve` is written as curve.png (matplotlib's default) and said so; `-o curve.xyz`
    is one line naming the formats, exit 2, nothing written."""
    result = runner.invoke(app, ["plot", "proj", "agent", "-o", str(tmp_path / "curve"), "-b", str(store)])
    assert result.exit_code == 0 and f"wrote {tmp_path / 'curve.png'}" in result.output
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG" and not (tmp_path / "curve").exists()
    result = runner.invoke(app, ["plot", "proj", "agent", "-o", str(tmp_path / "c.xyz"), "-b", str(store)])
    assert result.exit_code == 2 and "cannot write .xyz files; use one of:" in result.output
    assert "png" in result.output and "Traceback" not in result.output and not (tmp_path / "c.xyz").exists()


def test_plot_takes_one_mode_per_metric(store: Path, tmp_path: Path) -> None:
    """A reward's best step is its highest, a loss's its lowest: `--mode` once per `-m`, in
    order (one `--mode` for every metric, as before); a count that matches neither is refused."""
    from art.plotting import curves

    both = curves(store, "proj", ["agent"], ["val/reward", "val/reward"], 1, ["max", "min"])
    values = dict(zip(both[0].steps, both[0].values, strict=True))
    assert [c.best[1] for c in both] == [max(values.values()), min(values.values())]
    out = tmp_path / "c.png"
    args = ["plot", "proj", "agent", "-m", "val/reward", "-m", "val/reward", "-o", str(out), "-b", str(store)]
    assert runner.invoke(app, [*args, "--mode", "max", "--mode", "min"]).exit_code == 0
    result = runner.invoke(app, [*args, "--mode", "max", "--mode", "min", "--mode", "max"])
    assert result.exit_code == 2
    assert "give one mode, or one per metric (2: val/reward, val/reward)" in result.output
