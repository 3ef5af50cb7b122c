from __future__ import annotations

import compileall
import os
from pathlib import Path

import pytest
from hypothesis import settings

from art import Trajectory, TrajectoryGroup

# The property tests draw the same examples on every run (a seed per test, no example
# database): a CI run on a clean clone sees what the last local run saw, never a new example
# found by chance. `pytest --hypothesis-profile=explore` searches afresh.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("deterministic")

DATA = Path(__file__).parent / "data"
PEER_PYTHON = Path(os.environ.get("PEER_PYTHON", Path(__file__).parents[1] / "bench/.peer-venv/bin/python"))


def _peer_missing() -> bool:
    return not PEER_PYTHON.exists() and os.environ.get("ART_REQUIRE_PEER") != "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The compat tests need openpipe-art 0.5.23 in its own venv (bench/setup_peer.sh,
    about 1.5 min). Without it they are deselected, and the header says so; CI sets
    ART_REQUIRE_PEER=1, so there a missing peer fails them instead of hiding them."""
    if not _peer_missing():
        return
    compat = [i for i in items if i.get_closest_marker("compat")]
    if compat:
        config.hook.pytest_deselected(items=compat)
        items[:] = [i for i in items if not i.get_closest_marker("compat")]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the package's bytecode once (the controller, before the workers start): the
    suite starts hundreds of Python processes, and where PYTHONDONTWRITEBYTECODE is set (CI)
    each compiled the art modules from source, ~30 ms apiece."""
    if not hasattr(session.config, "workerinput"):
        compileall.compile_dir(Path(__file__).parents[1] / "art", quiet=1)


def pytest_report_header(config: pytest.Config) -> str:
    if _peer_missing():
        return f"compat tests deselected: no openpipe-art peer at {PEER_PYTHON} (bash bench/setup_peer.sh)"
    return f"compat tests: openpipe-art peer at {PEER_PYTHON}"


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
