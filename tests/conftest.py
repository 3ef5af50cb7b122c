from __future__ import annotations

import os
from pathlib import Path

import pytest

from art import Trajectory, TrajectoryGroup

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not see the machine's wandb login or ART settings, nor write to its HOME:
    a developer's WANDB_API_KEY would otherwise send test runs to their real account."""
    for key in list(os.environ):
        if key.startswith(("WANDB_", "ART_")):
            monkeypatch.delenv(key)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("WANDB_SILENT", "true")


def traj(reward: float, metrics: dict | None = None, **kw) -> Trajectory:
    return Trajectory(
        messages_and_choices=[
            {"role": "user", "content": "2+2?"},
            {"message": {"role": "assistant", "content": "4"}},
        ],
        reward=reward,
        metrics=metrics or {},
        **kw,
    )


def group(*rewards: float, **kw) -> TrajectoryGroup:
    return TrajectoryGroup([traj(r) for r in rewards], **kw)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--kill-rounds",
        type=int,
        default=20,
        help="How many times the crash test kills a logging child process (default 20).",
    )
    parser.addoption(
        "--writer-calls",
        type=int,
        default=150,
        help="log() calls per writer process in the concurrency test (default 150).",
    )
