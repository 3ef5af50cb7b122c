"""A base path that is not the store a user meant: a file, the folder that holds `.art`, or a
folder inside the store. The commands said "the folder does not exist" of a file, and showed an
empty table (exit 0) for the folder above `.art`, with nothing to say why."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art.cli import app
from art.errors import InvalidArgumentError, NotFoundError, StoreNotFoundError

runner = CliRunner()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder as a newcomer has it: `.art` with one run, and a plot beside it."""
    root = tmp_path_factory.mktemp("work")
    chat = [{"role": "user", "content": "2+2?"}, {"message": {"role": "assistant", "content": "4"}}]
    base = str(root / ".art")
    model = art.Model(name="agent-001", project="email-agent", base_path=base, report_metrics=[])
    group = art.TrajectoryGroup([art.Trajectory(messages_and_choices=chat, reward=1.0)])
    asyncio.run(model.log([group], split="val", step=1))
    (root / "curves.png").write_bytes(b"\x89PNG")
    return root


def cli(*args: str) -> object:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize("command", [["runs"], ["history", "email-agent", "agent-001"], ["rebuild"]])
def test_a_file_given_as_base_path_is_called_a_file(work: Path, command: list[str]) -> None:
    result = cli(*command, "--base-path", str(work / "curves.png"))
    assert result.exit_code == 1, result.output
    assert "is a file, not a folder" in result.stderr and "does not exist" not in result.stderr


def test_art_connect_on_a_file_says_it_is_a_file(work: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="is a file, not a folder"):
        art.connect(work / "curves.png")


def test_runs_of_the_folder_holding_the_store_points_at_it(work: Path) -> None:
    result = cli("runs", "--base-path", str(work))
    assert result.exit_code == 0
    assert "agent-001" not in result.stdout
    assert "no runs in" in result.stderr and f"--base-path {work / '.art'}" in result.stderr


@pytest.mark.parametrize("inside", ["email-agent", "email-agent/models/agent-001"])
def test_a_folder_inside_the_store_names_the_store(work: Path, inside: str) -> None:
    base = work / ".art" / inside
    result = cli("history", "email-agent", "agent-001", "--base-path", str(base))
    assert result.exit_code == 1
    assert f"--base-path {work / '.art'}" in result.stderr, result.stderr


def test_the_library_error_names_the_store_too(work: Path) -> None:
    with pytest.raises(NotFoundError, match=r"\.art is a store"):
        art.analysis.history(work, "email-agent", "agent-001")


def test_a_store_with_runs_says_nothing_more(work: Path) -> None:
    result = cli("runs", "--base-path", str(work / ".art"))
    assert result.exit_code == 0 and "agent-001" in result.stdout and result.stderr == ""


@pytest.mark.parametrize("under", ["", ".art"])
def test_logging_into_a_file_says_the_base_path_is_a_file(work: Path, under: str) -> None:
    """It was OSError's '[Errno 17] File exists' (or 20, 'Not a directory'), from `art demo` too."""
    base = work / "curves.png" / under if under else work / "curves.png"
    model = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
    chat = [{"role": "user", "content": "2+2?"}, {"message": {"role": "assistant", "content": "4"}}]
    group = art.TrajectoryGroup([art.Trajectory(messages_and_choices=chat, reward=1.0)])
    with pytest.raises(InvalidArgumentError, match=r"base_path .*curves\.png.*(is a file|under a file)"):
        asyncio.run(model.log([group], split="val", step=1))
    result = cli("demo", "--steps", "1", "--base-path", str(base))
    assert result.exit_code == 2 and "invalid base_path" in result.stderr and "Errno" not in result.stderr


def test_a_tilde_nothing_expanded_is_pointed_out(tmp_path: Path) -> None:
    """`art runs --base-path=~/x/.art` (no shell expands ~ after '=') or art.connect('~/...')."""
    with pytest.raises(StoreNotFoundError, match="a ~ in a path is not your home folder"):
        art.connect("~/surely-not-here/.art")
    result = cli("runs", "--base-path=~/surely-not-here/.art")
    assert result.exit_code == 1 and "a ~ in a path is not your home folder" in result.stderr


def test_a_folder_with_a_models_folder_of_its_own_is_not_called_a_store_s_project(tmp_path: Path) -> None:
    """A code repository with a `models/` folder (no store anywhere): its parent was named as
    the store to pass, only because the repository's own `models/x` matched `*/models/*`."""
    repo = tmp_path / "home" / "repo"
    (repo / "models" / "llama").mkdir(parents=True)
    (repo / "models" / "llama" / "config.json").write_text("{}")
    result = cli("runs", "--base-path", str(repo))
    assert result.exit_code == 0
    assert "--base-path" not in result.stderr and "inside the store" not in result.stderr, result.stderr
