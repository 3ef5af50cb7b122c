"""Bad input: each case gets a clear error or is stored safely, and nothing stored before is
affected. The README's "Bad input" table lists these cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import art
from art import LocalBackend, Model, TrainableModel, Trajectory, TrajectoryGroup
from art.errors import CatalogBusyError, InvalidNameError
from art.store.catalog import Catalog, catalog_for
from art.store.parquet_read import read_groups

from .conftest import group, traj


def model(tmp_path: Path) -> Model:
    return Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])


def snapshot(tmp_path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(tmp_path)): p.read_bytes()
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and "catalog" not in p.name
    }


@pytest.fixture
async def stored(tmp_path: Path) -> Path:
    """A store with one logged step, to check that a bad call leaves it as it was."""
    await model(tmp_path).log([group(1.0, 0.0)], split="val", step=0)
    return tmp_path


BAD_TRAJECTORIES = {
    "infinite reward": lambda: Trajectory(messages_and_choices=[], reward=float("-inf")),
    "string reward": lambda: Trajectory(messages_and_choices=[], reward="1.0"),
    "non-JSON metadata": lambda: Trajectory(messages_and_choices=[], reward=0.0, metadata={"when": object()}),
    "set metadata": lambda: Trajectory(messages_and_choices=[], reward=0.0, metadata={"tags": {"a"}}),
    "string metric": lambda: Trajectory(messages_and_choices=[], reward=0.0, metrics={"m": "high"}),
    "message without role": lambda: Trajectory(messages_and_choices=[{"content": "x"}], reward=0.0),
    "group metadata object": lambda: TrajectoryGroup([], metadata={"x": {1, 2}}),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAJECTORIES))
def test_bad_trajectory_values_are_refused_naming_the_field(case: str) -> None:
    with pytest.raises(ValueError) as info:
        BAD_TRAJECTORIES[case]()
    assert any(word in str(info.value) for word in ("reward", "metadata", "metrics", "messages"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"split": "../escape"},
        {"split": "/abs"},
        {"split": "a\\b"},
        {"split": ".hidden"},
        {"split": "nul\x00"},
        {"split": "loss"},
        {"step": -1},
        {"step": 1.5},
        {"step": True},
        {"metrics": {"note": "text"}},
        {"metrics": {"step": 3}},
        {"metrics": {"": 1.0}},
    ],
)
async def test_bad_log_arguments_are_refused_and_nothing_changes(stored: Path, kwargs: dict) -> None:
    before = snapshot(stored)
    with pytest.raises(ValueError):
        await model(stored).log([group(0.5)], **{"split": "val", "step": 1, **kwargs})
    assert snapshot(stored) == before


async def test_a_mix_of_groups_and_trajectories_is_refused(stored: Path) -> None:
    with pytest.raises(ValueError, match="not a mix"):
        await model(stored).log([group(1.0), traj(0.0)])


async def test_numbers_of_every_kind_mix(tmp_path: Path) -> None:
    g = TrajectoryGroup([traj(1, {"m": True}), traj(0.5, {"m": 2}), traj(0, {"m": 0.25})])
    row = await model(tmp_path).log([g], metrics={"flag": True, "count": 3, "rate": 0.5})
    assert row["val/m"] == pytest.approx((1 + 2 + 0.25) / 3)
    assert row["val/flag"] == 1 and row["val/count"] == 3


async def test_huge_unicode_messages_round_trip(tmp_path: Path) -> None:
    content = "🦜 déjà vu — 中文 " * 600_000  # about 10 MB of UTF-8
    t = Trajectory(
        messages_and_choices=[{"role": "user", "content": content}], reward=1.0, metadata={"emoji": "🙂"}
    )
    await model(tmp_path).log([TrajectoryGroup([t])], step=0)
    [g] = read_groups(tmp_path / "proj/models/agent/trajectories/val/0000.parquet")
    assert g.trajectories[0].messages_and_choices[0]["content"] == content
    assert g.trajectories[0].metadata == {"emoji": "🙂"}


@pytest.mark.parametrize(
    "name",
    [
        'val/it\'s "quoted"',
        "val/a; DROP TABLE history; --",
        "val/SELECT * FROM models",
        "val/ünï 🙂",
        "val/$1",
        "val/%_like",
    ],
)
async def test_metric_names_are_values_never_sql(tmp_path: Path, name: str) -> None:
    m = TrainableModel(name="agent", project="proj", base_model="b", report_metrics=[])
    await m.register(LocalBackend(path=tmp_path))
    await m.log(split="val", step=1, metrics={name: 0.25})
    await m.log(split="val", step=2, metrics={name: 0.75})
    assert await m.best_step(name) == (2, 0.75)
    con = art.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM history WHERE metric = ?", [name]).fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM models").fetchone() == (1,)


async def test_a_corrupted_parquet_file_is_flagged_and_the_rest_still_works(stored: Path) -> None:
    bad = stored / "proj/models/agent/trajectories/val/0005.parquet"
    bad.write_bytes(b"PAR1 this is not a parquet file")
    await model(stored).log([group(0.5)], step=6)
    con = art.connect(stored)
    errors = con.execute("SELECT step, error IS NOT NULL FROM trajectory_files ORDER BY step").fetchall()
    assert errors == [(0, False), (5, True), (6, False)]
    assert con.execute("SELECT count(*) FROM trajectories").fetchone() == (3,)
    with pytest.raises(ValueError, match=r"0005\.parquet: not a readable parquet file"):
        read_groups(bad)


async def test_a_corrupted_history_line_is_skipped(stored: Path) -> None:
    path = stored / "proj/models/agent/history.jsonl"
    with path.open("a") as f:
        f.write('{not json}\n[1, 2]\n{"step": "seven"}\n')
    await model(stored).log([group(0.5)], step=1)
    con = art.connect(stored)
    assert con.execute("SELECT list(DISTINCT step ORDER BY step) FROM history").fetchone() == ([0, 1],)
    assert con.execute("SELECT max(seq) FROM history").fetchone() == (4,)


async def test_a_truncated_catalog_is_rebuilt(stored: Path) -> None:
    # the fixture's log() left a background catch-up due in a second: were it to run after the
    # truncation (a loaded machine, two test workers), it would rebuild the catalog before the
    # reader opens it, and nothing would warn here
    catalog_for(stored).flush()
    Catalog(stored).sync()
    catalog = stored / "catalog.duckdb"
    catalog.write_bytes(catalog.read_bytes()[:5000])
    with pytest.warns(UserWarning, match="rebuilt"):
        con = art.connect(stored)
    assert con.execute("SELECT count(*) FROM trajectory_files").fetchone() == (1,)


async def test_symlinked_model_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    base, outside = tmp_path / "store", tmp_path / "outside"
    (base / "proj" / "models").mkdir(parents=True)
    outside.mkdir()
    (base / "proj" / "models" / "agent").symlink_to(outside)
    with pytest.raises(InvalidNameError, match="outside the store"):
        await model(base).log([group(1.0)])
    assert list(outside.iterdir()) == []


async def test_checkpoints_symlinked_outside_are_never_deleted(tmp_path: Path) -> None:
    base, outside = tmp_path / "store", tmp_path / "outside"
    m = TrainableModel(name="agent", project="proj", base_model="b", report_metrics=[])
    await m.register(LocalBackend(path=base))
    (outside / "0001").mkdir(parents=True)
    m.paths.checkpoints.symlink_to(outside)
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    with pytest.raises(InvalidNameError, match="outside the store"):
        await m.delete_checkpoints()
    assert (outside / "0001").is_dir()


def test_lock_timeout_names_the_holder(tmp_path: Path) -> None:
    import filelock

    holder = Catalog(tmp_path)
    waiter = Catalog(tmp_path, lock_timeout=0.2)
    with holder._write_lock(), pytest.raises(CatalogBusyError, match=r"pid \d+ on"):
        waiter.sync()
    assert isinstance(filelock.ReadWriteLock, type)


names = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project=names, model_name=names)
def test_any_name_is_refused_or_stays_inside_the_store(tmp_path: Path, project: str, model_name: str) -> None:
    try:
        paths = art.Model(name=model_name, project=project, base_path=str(tmp_path)).paths
    except ValueError as e:
        assert "project" in str(e) or "model" in str(e)
        return
    assert paths.check_inside(paths.model_dir).resolve().is_relative_to(tmp_path.resolve())
    assert paths.model_dir.parent.parent.parent == tmp_path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=30))
def test_any_metric_key_round_trips_through_history_and_sql(tmp_path: Path, key: str) -> None:
    """Any key a user picks is stored and read back verbatim (keys under ART's summed
    prefixes, `time/step_...`, also add their running totals: tests/test_ledger*.py)."""
    import asyncio

    from art.store.history import RESERVED_KEYS
    from art.store.ledger import is_summed

    assume(not is_summed(key))
    assume(key not in RESERVED_KEYS)  # refused, naming the key (hypothesis tries our own constants)

    base = tmp_path / f"s{abs(hash(key))}"
    row = asyncio.run(model(base).log(split="val", step=0, metrics={key: 0.5}))
    [stored_key] = row
    line = json.loads((base / "proj/models/agent/history.jsonl").read_text())
    assert line[stored_key] == 0.5
    con = art.connect(base)
    assert con.execute("SELECT value FROM history WHERE metric = ?", [stored_key]).fetchall() == [(0.5,)]


@pytest.mark.parametrize("key", ["step", "training_step", "recorded_at"])
def test_a_metric_named_as_a_key_the_store_writes_is_refused_and_nothing_is_stored(
    tmp_path: Path, key: str
) -> None:
    import asyncio

    from art.errors import InvalidTrajectoryError

    with pytest.raises(InvalidTrajectoryError, match=key):
        asyncio.run(model(tmp_path).log(split="val", step=0, metrics={key: 0.5}))
    assert not (tmp_path / "proj/models/agent/history.jsonl").exists()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Trajectory(rewrad=1.0), "Trajectory.rewrad"),
        (lambda: TrajectoryGroup([Trajectory()], metdata={"a": 1}), "TrajectoryGroup.metdata"),
        (lambda: art.trajectories.History(message=[]), "History.message"),
    ],
)
def test_a_misspelt_field_is_refused_naming_it(build: object, field: str) -> None:
    """pydantic drops an unknown keyword silently: `Trajectory(rewrad=1.0)` logged reward 0."""
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        build()  # type: ignore[operator]
