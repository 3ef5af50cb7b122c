"""The first hour with the `art` command: mistakes say so, data prints as written, tables fit
80 columns, long work shows progress, runs side by side, hyperparameters, usage errors exit 2."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art.cli import app
from art.demo import run_demo
from art.errors import NotFoundError, StoreNotFoundError

runner = CliRunner()
LONG = "arith-curriculum-lr3e-4-seed1234"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short demo runs with different settings (one with a long name) in one store."""
    base = tmp_path_factory.mktemp("store") / ".art"
    asyncio.run(run_demo(base, steps=4, seed=7, smoothing_window=2))
    asyncio.run(run_demo(base, steps=3, seed=3, smoothing_window=2, name=LONG, judge_noise=0.3))
    return base


def cli(*args: str, columns: int = 80) -> object:
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


def one_line_error(result: object, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.stdout == "" and result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


# 1. mistakes look like mistakes


@pytest.mark.parametrize(
    "command",
    [
        ["runs"],
        ["history", "demo", "arith-seed7"],
        ["best-step", "demo", "arith-seed7"],
        ["sql", "SELECT 1"],
        ["plot", "demo", "arith-seed7"],
    ],
)
def test_a_missing_base_path_is_an_error_and_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / ".art"
    err = one_line_error(cli(*command, "--base-path", str(missing)))
    assert str(missing) in err and "does not exist" in err
    assert not missing.exists() and not (tmp_path / "typo").exists()


def test_ui_on_a_missing_base_path_is_an_error_before_it_serves(tmp_path: Path) -> None:
    """It served, and every request then failed with the message below."""
    missing = tmp_path / "typo" / ".art"
    out = subprocess.run(
        [sys.executable, "-m", "art", "ui", "--base-path", str(missing), "--port", "9"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 1 and out.stderr.startswith("error: no store at") and str(missing) in out.stderr
    assert not missing.exists() and not (tmp_path / "typo").exists()


def test_art_connect_on_a_missing_path_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="nothing-here"):
        art.connect(tmp_path / "nothing-here")
    assert not (tmp_path / "nothing-here").exists()


def test_rebuild_of_an_empty_folder_says_what_it_did_not_find(tmp_path: Path) -> None:
    err = one_line_error(cli("rebuild", "-b", str(tmp_path)))
    assert "found no PROJECT/models/MODEL folders" in err and str(tmp_path) in err


@pytest.mark.parametrize("command", ["history", "best-step", "plot"])
def test_a_misspelled_model_is_named_with_close_matches_not_blamed_on_the_metric(
    demo_store: Path, command: str
) -> None:
    err = one_line_error(cli(command, "demo", "arith-sed7", "-b", str(demo_store)))
    assert "no model 'arith-sed7' in project 'demo'" in err and "did you mean arith-seed7" in err
    assert "metric" not in err


def test_a_misspelled_project_split_or_metric_lists_what_exists(demo_store: Path) -> None:
    err = one_line_error(cli("history", "dmeo", "arith-seed7", "-b", str(demo_store)))
    assert "no project 'dmeo'" in err and "did you mean demo" in err
    err = one_line_error(cli("history", "demo", "arith-seed7", "-s", "vall", "-b", str(demo_store)))
    assert "no split 'vall'" in err and "did you mean val" in err
    err = one_line_error(cli("history", "demo", "arith-seed7", "-m", "val/rewards", "-b", str(demo_store)))
    assert "'val/rewards' was never logged" in err and "did you mean val/reward" in err
    err = one_line_error(cli("best-step", "demo", "arith-seed7", "-m", "val/rewad", "-b", str(demo_store)))
    assert "did you mean val/reward" in err
    # a metric and a split that both exist, never together (it printed an empty table)
    apart = ("-m", "train/reward", "-s", "val")
    err = one_line_error(cli("history", "demo", "arith-seed7", *apart, "-b", str(demo_store)))
    assert "no split 'val' for train/reward in demo/arith-seed7" in err and "train" in err


def test_the_library_names_the_missing_model_too(demo_store: Path) -> None:
    from art.checkpoints import best_steps

    with pytest.raises(NotFoundError, match=r"no model 'nope'.*arith-seed7") as e:
        best_steps(demo_store, "demo", "nope", "val/reward")
    assert e.value.field == "model" and isinstance(e.value, ValueError)


# 3. data is never markup; 13 (issue 13): every result type has a JSON form


def test_sql_prints_markup_and_emoji_codes_verbatim(demo_store: Path) -> None:
    text = "[/INST] see [docs](http://x) :x: [bold]b[/bold]"
    result = cli("sql", f"SELECT '{text}' AS message", "-b", str(demo_store), columns=200)
    assert result.exit_code == 0, result.output
    assert text in result.stdout


def test_sql_json_serializes_every_result_type(demo_store: Path) -> None:
    statement = """SELECT 1.25::DECIMAL(9,2) AS dec, '\\xAA\\xFF'::BLOB AS blob,
        '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS id, INTERVAL '1 day 2 hours' AS span,
        DATE '2024-02-29' AS day, TIME '12:30:00' AS t, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ts,
        [1, 2] AS list, {'a': [1.5], 'b': NULL} AS struct, MAP {1: 'x'} AS map,
        'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, 170141183460469231731687303715884105727::HUGEINT AS huge,
        [{'k': 'nan'::DOUBLE}] AS nested_nan"""
    result = cli("sql", statement, "-b", str(demo_store), "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["dec"] == 1.25 and row["blob"] == "qv8=" and row["id"].startswith("6ba7b810")
    assert row["span"] == "P1DT7200S" and row["day"] == "2024-02-29" and row["t"] == "12:30:00"
    assert row["ts"].startswith("2024-01-01") or row["ts"].startswith("2023-12-31")
    assert row["list"] == [1, 2] and row["struct"] == {"a": [1.5], "b": None} and row["map"] == {"1": "x"}
    assert row["nan"] is None and row["inf"] is None and row["nested_nan"] == [{"k": None}]
    assert row["huge"] == 2**127 - 1
    csv = cli("sql", statement, "-b", str(demo_store), "--csv")
    assert csv.exit_code == 0 and '"{""a"": [1.5], ""b"": null}"' in csv.stdout


def test_sql_json_of_summarize(demo_store: Path) -> None:
    result = cli(
        "sql", "SUMMARIZE SELECT step, reward, path FROM trajectories", "-b", str(demo_store), "--json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["column_name"] for r in rows} == {"step", "reward", "path"}


# 4. tables fit 80 columns


def lines_of(result: object) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_runs_fits_80_columns_with_whole_names_and_right_aligned_numbers(demo_store: Path) -> None:
    lines = lines_of(cli("runs", "-b", str(demo_store)))
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert LONG in text and "arith-seed7" in text
    header = next(line for line in lines if "last_step" in line)
    assert "project" in header and "model" in header and "config.judge_noise" in header
    end = header.index("last_step") + len("last_step")
    rows = [line for line in lines if "arith" in line]
    assert all(line[end - 1].isdigit() and line[end] == " " for line in rows)  # right-aligned
    assert "hidden to fit 80 columns" in text and "--wide" in text
    wide = lines_of(cli("runs", "-b", str(demo_store), "--wide"))
    assert any("trajectory_files" in line for line in wide) and max(map(len, wide)) > 80


def test_history_keeps_one_precision_per_column(demo_store: Path) -> None:
    lines = lines_of(
        cli("history", "demo", "arith-seed7", "-m", "val/reward", "-w", "2", "-b", str(demo_store))
    )
    values = [line.split()[-2:] for line in lines if line.strip().startswith("val ")]
    assert len(values) == 5
    for column in zip(*values, strict=True):
        assert len({len(v.split(".")[1]) for v in column}) == 1, column
    assert max(len(line) for line in lines) <= 80


def test_history_pivot_is_one_column_per_metric(demo_store: Path) -> None:
    result = cli("history", "demo", "arith-seed7", "--pivot", "-b", str(demo_store), "--json")
    rows = json.loads(result.stdout)
    assert [r["step"] for r in rows] == [0, 1, 2, 3, 4]
    assert {"val/reward", "train/loss", "train/reward"} <= set(rows[0])
    assert rows[0]["train/loss"] is None and rows[1]["train/loss"] is not None
    lines = lines_of(cli("history", "demo", "arith-seed7", "--pivot", "-b", str(demo_store)))
    assert max(map(len, lines)) <= 80 and "val/reward" in lines[2]


# 5. progress on a terminal, nothing when piped


def run_in_pty(args: list[str], cwd: Path) -> str:
    """Run a command with a real terminal as stdout/stderr and return what it printed."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen(args, cwd=cwd, stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(main)
    return out.decode(errors="replace")


def test_demo_shows_progress_on_a_terminal_and_none_when_piped(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "art", "demo", "--steps", "6", "-b", str(tmp_path / "a")]
    shown = run_in_pty(args, tmp_path)
    assert re.search(r"training step \d/6", shown), shown
    piped = subprocess.run(
        [*args[:-1], str(tmp_path / "b")], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "training step" not in piped.stdout + piped.stderr and piped.stderr == ""
    assert piped.stdout.startswith("trained demo/arith-seed7 for 6 steps")


# 6. runs side by side


def test_plot_draws_several_runs_and_metrics_in_one_figure(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.png"
    result = cli(
        "plot", "demo", "arith-seed7", LONG, "-m", "val/reward", "-m", "train/loss", "-w", "2",
        "-o", str(out), "-b", str(demo_store),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(out).size == (800, 720)  # two panels, one per metric


def test_plot_without_matplotlib_is_one_line_naming_the_extra(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    err = one_line_error(
        cli("plot", "demo", "arith-seed7", "-o", str(tmp_path / "x.png"), "-b", str(demo_store))
    )
    assert "matplotlib" in err and "art-duckdb[plot]" in err


# 7. hyperparameters


def test_demo_records_its_config_and_runs_shows_what_differs(demo_store: Path) -> None:
    doc = json.loads((demo_store / "demo" / "models" / "arith-seed7" / "model.json").read_text())
    assert doc["config"]["seed"] == 7 and doc["config"]["learning_rate"] == 0.5
    rows = json.loads(cli("runs", "-b", str(demo_store), "--json").stdout)
    by_model = {r["model"]: r for r in rows}
    assert by_model[LONG]["config"]["judge_noise"] == 0.3
    assert {k for k in by_model[LONG] if k.startswith("config.")} == {"config.judge_noise", "config.seed"}
    chosen = json.loads(cli("runs", "-c", "learning_rate", "-b", str(demo_store), "--json").stdout)
    assert [r["config.learning_rate"] for r in chosen] == [0.5, 0.5]
    sql = "SELECT model, config->>'seed' AS seed FROM runs ORDER BY model"
    rows = json.loads(cli("sql", sql, "-b", str(demo_store), "--json").stdout)
    assert rows == [{"model": LONG, "seed": "3"}, {"model": "arith-seed7", "seed": "7"}]


# 8. usage


def test_version() -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"art {art.__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ["best-step", "demo", "arith-seed7", "--mode", "maximum"],
        ["plot", "demo", "arith-seed7", "--mode", "up"],
        ["history", "demo", "arith-seed7", "--window", "0"],
        ["runs", "--json", "--csv"],
        ["sql", "SELECT 1", "--json", "--csv"],
        ["history", "demo", "arith-seed7", "--json", "--csv"],
        ["history", "demo", "bad/name"],
        ["runs", "--no-such-option"],
        ["history", "demo"],
    ],
)
def test_bad_usage_exits_2(demo_store: Path, args: list[str]) -> None:
    result = cli(*args, "-b", str(demo_store))
    assert result.exit_code == 2, (args, result.output)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["runs", "history", "best-step", "sql", "plot", "demo"])
def test_help_shows_flags_as_flags_and_window_defaults(command: str) -> None:
    text = cli(command, "--help").stdout
    assert "<bool>" not in text and "--json <" not in text
    assert "<list[" not in text.partition("Options:")[2]  # a repeatable option names one value
    if "--window" in text:
        assert re.search(r"--window <int range> [^\[]*\[default: \d", " ".join(text.split()))
    if "--mode" in text:
        assert "--mode <max|min>" in text


def test_demo_again_continues_the_run_and_says_so(tmp_path: Path) -> None:
    first = cli("demo", "--steps", "2", "-b", str(tmp_path))
    assert first.stdout.startswith("trained demo/arith-seed7 for 2 steps")
    again = cli("demo", "--steps", "2", "-b", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("continued demo/arith-seed7 from step 2 to 4")
    other = cli("demo", "--steps", "2", "--name", "second", "-b", str(tmp_path))
    assert other.stdout.startswith("trained demo/second for 2 steps")


def test_art_lake_without_its_settings_says_which_one_is_missing() -> None:
    """The lake is named by environment variables: a newcomer who has not set them is told
    which one and what it names (it said `invalid ART_LAKE_CATALOG None`)."""
    result = runner.invoke(app, ["lake", "init"], env={"ART_LAKE_CATALOG": None, "ART_LAKE_DATA_PATH": None})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ART_LAKE_CATALOG is not set: ")
    assert "ART_LAKE_DATA_PATH" in result.stderr and "None" not in result.stderr


@pytest.mark.parametrize("command", [["lake", "init"], ["runs"]])
def test_a_lake_without_its_data_path_says_it_is_not_set(command: list[str]) -> None:
    """ART_LAKE_CATALOG alone: it said `invalid ART_LAKE_DATA_PATH None`."""
    env = {"ART_LAKE_CATALOG": "dbname=lake", "ART_LAKE_DATA_PATH": None}
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ART_LAKE_DATA_PATH is not set: "), result.stderr
    assert "None" not in result.stderr
