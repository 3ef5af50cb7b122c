"""Groups -> parquet -> groups is lossless (v2), and ART's own files read back."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types.chat.chat_completion import Choice

from art import Trajectory, TrajectoryGroup
from art.errors import UnsupportedFormatError
from art.store.parquet import SCHEMA, groups_to_table, write_table
from art.store.parquet_read import read_groups
from art.trajectories import History

from .conftest import DATA

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
key = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=8)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
metric_value = st.one_of(st.booleans(), st.integers(-(2**53), 2**53), finite)
meta_value = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), finite, text)


def choice(content: str, tool: bool = False) -> Choice:
    message = {"role": "assistant", "content": None if tool else content}
    if tool:
        message["tool_calls"] = [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "f", "arguments": json.dumps({"q": content})},
            }
        ]
    return Choice.model_validate(
        {
            "finish_reason": "tool_calls" if tool else "stop",
            "index": 0,
            "logprobs": None,
            "message": message,
        }
    )


message = st.one_of(
    st.builds(lambda r, c: {"role": r, "content": c}, st.sampled_from(["system", "user"]), text),
    st.builds(lambda c: {"role": "tool", "tool_call_id": "c1", "content": c}, text),
    st.builds(choice, text, st.booleans()),
    st.builds(lambda c: {"message": {"role": "assistant", "content": c}}, text),
)
tools = st.one_of(st.none(), st.just([{"type": "function", "function": {"name": "f"}}]))
histories = st.lists(
    st.builds(History, messages_and_choices=st.lists(message, max_size=3), tools=tools), max_size=2
)
trajectories = st.builds(
    Trajectory,
    messages_and_choices=st.lists(message, max_size=4),
    additional_histories=histories,
    reward=finite,
    metrics=st.dictionaries(key, metric_value, max_size=3),
    metadata=st.dictionaries(key, meta_value, max_size=3),
    tools=tools,
    logs=st.lists(text, max_size=2),
)
exceptions = st.builds(lambda m: ValueError(m), text)
groups = st.builds(
    lambda ts, es, md, mt, lg: TrajectoryGroup(ts, exceptions=es, metadata=md, metrics=mt, logs=lg),
    st.lists(trajectories, max_size=3),
    st.lists(exceptions, max_size=2),
    st.dictionaries(key, meta_value, max_size=2),
    st.dictionaries(key, metric_value, max_size=2),
    st.lists(text, max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(groups, max_size=4))
def test_round_trip_is_lossless(tmp_path: Path, gs: list[TrajectoryGroup]) -> None:
    path = tmp_path / "0001.parquet"
    write_table(groups_to_table(gs), path)
    assert read_groups(path) == gs


def test_file_has_arts_v2_schema_marker_and_one_zstd_row_group(tmp_path: Path) -> None:
    g = TrajectoryGroup([Trajectory(messages_and_choices=[choice("hi")], reward=1.0)])
    path = tmp_path / "0000.parquet"
    write_table(groups_to_table([g, TrajectoryGroup([])]), path)
    f = pq.ParquetFile(path)
    art_file = DATA / "art-0.5.23/art-fixture/models/agent-run/trajectories/val/0000.parquet"
    assert f.schema_arrow.equals(pq.read_schema(art_file), check_metadata=False)
    assert f.schema_arrow.equals(SCHEMA, check_metadata=False)
    assert f.schema_arrow.metadata[b"art.trajectory_parquet.version"] == b"2"
    assert f.metadata.num_row_groups == 1
    assert f.metadata.row_group(0).column(0).compression == "ZSTD"
    rows = f.read().to_pylist()
    assert rows[0]["messages"][0]["trainable"] is True
    assert rows[1]["trajectory_index"] is None and rows[1]["group_json"] == "{}"


def test_a_file_is_zstd_throughout_and_its_size_is_the_one_returned(tmp_path: Path) -> None:
    """Small and large step files alike: every column zstd (as openpipe-art writes them), the
    size write_table returns is the file's, and it reads back losslessly."""
    small = [TrajectoryGroup([Trajectory(messages_and_choices=[choice("hi")], reward=1.0)])]
    text = "a fairly long answer " * 40
    trajectories = [Trajectory(messages_and_choices=[choice(f"{i} {text}")], reward=1.0) for i in range(20)]
    large = [TrajectoryGroup(trajectories) for _ in range(8)]
    for name, gs in (("small", small), ("large", large)):
        path = tmp_path / f"{name}.parquet"
        size = write_table(groups_to_table(gs), path)
        row_group = pq.ParquetFile(path).metadata.row_group(0)
        assert {row_group.column(c).compression for c in range(row_group.num_columns)} == {"ZSTD"}
        assert size == path.stat().st_size
        assert read_groups(path) == gs


def test_v1_columns_match_arts_flattening() -> None:
    """Our flattened `messages` column equals the one ART 0.5.23 wrote for the same trajectory."""
    path = DATA / "art-0.5.23/art-fixture/models/agent-run/trajectories/train/0000.parquet"
    theirs = pq.read_table(path).to_pylist()
    ours = groups_to_table(read_groups(path)).to_pylist()
    for a, b in zip(theirs, ours, strict=True):
        for col in (
            "messages",
            "metrics",
            "metadata",
            "tools",
            "group_json",
            "trajectory_json",
            "group_metadata",
            "group_metrics",
            "group_logs",
            "logs",
        ):
            assert a[col] == b[col], col


@pytest.mark.parametrize("version", ["art-0.5.9", "art-0.5.23"])
def test_reads_every_file_art_wrote(version: str) -> None:
    root = DATA / version / "art-fixture/models/agent-run/trajectories"
    files = sorted(root.glob("*/*.parquet"))
    assert len(files) == 9
    for f in files:
        gs = read_groups(f)
        assert gs and all(isinstance(g, TrajectoryGroup) for g in gs)


def test_v2_file_from_art_restores_choices_and_exceptions() -> None:
    path = DATA / "art-0.5.23/art-fixture/models/agent-run/trajectories/train/0000.parquet"
    gs = read_groups(path)
    assert any(isinstance(m, Choice) for g in gs for t in g.trajectories for m in t.messages_and_choices)
    assert any(g.exceptions for g in gs)
    assert any(not g.trajectories for g in gs)


def test_v1_file_reads_choices_back_as_plain_messages() -> None:
    path = DATA / "art-0.5.9/art-fixture/models/agent-run/trajectories/train/0000.parquet"
    gs = read_groups(path)
    msgs = [m for g in gs for t in g.trajectories for m in t.messages_and_choices]
    assert msgs and all(isinstance(m, dict) and "role" in m for m in msgs)


def test_partial_v2_file_is_refused(tmp_path: Path) -> None:
    table = groups_to_table([TrajectoryGroup([])]).replace_schema_metadata({})
    path = tmp_path / "0000.parquet"
    pq.write_table(table, path)
    with pytest.raises(UnsupportedFormatError, match="marker"):
        read_groups(path)


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    table = groups_to_table([]).replace_schema_metadata({b"art.trajectory_parquet.version": b"9"})
    path = tmp_path / "0000.parquet"
    pq.write_table(table, path)
    with pytest.raises(UnsupportedFormatError, match="version 9"):
        read_groups(path)


def test_write_leaves_no_temp_file_and_temp_names_never_end_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "val" / "0003.parquet"
    write_table(groups_to_table([]), path)
    assert [p.name for p in path.parent.iterdir()] == ["0003.parquet"]
    from art.store.parquet import temp_name

    assert not temp_name(path).name.endswith(".parquet")


def test_additional_histories_are_kept_beside_a_nan_metric(tmp_path: Path) -> None:
    """The JSON of a trajectory with a NaN is built another way (ART writes NaN): its
    histories must come back all the same."""
    h = History(messages_and_choices=[{"role": "user", "content": "sub"}, choice("x", tool=True)])
    t = Trajectory(reward=1.0, metrics={"m": float("nan")}, additional_histories=[h, History()])
    path = tmp_path / "0001.parquet"
    write_table(groups_to_table([TrajectoryGroup([t])]), path)
    [back] = read_groups(path)[0].trajectories
    assert back.additional_histories == [h, History()]
    assert back.metrics["m"] != back.metrics["m"]


def test_fields_this_library_does_not_model_are_left_out_with_a_warning(tmp_path: Path) -> None:
    """A file from a newer ART may hold trajectory fields we do not model: read back
    without them (the file keeps them), named in a warning, never an error."""
    from art.store.parquet_read import UnkeptFieldWarning

    t = Trajectory(reward=0.5, initial_policy_version=3, final_policy_version=4)
    table = groups_to_table([TrajectoryGroup([t])])
    docs = table.column("trajectory_json").to_pylist()
    docs = [None if d is None else json.dumps({**json.loads(d), "exchanges": {"turns": []}}) for d in docs]
    i = table.schema.get_field_index("trajectory_json")
    pq.write_table(
        table.set_column(i, table.schema.field(i), pa.array(docs, table.schema.field(i).type)),
        tmp_path / "0001.parquet",
    )
    with pytest.warns(UnkeptFieldWarning, match="exchanges"):
        [back] = read_groups(tmp_path / "0001.parquet")[0].trajectories
    assert back == t and (back.initial_policy_version, back.final_policy_version) == (3, 4)
