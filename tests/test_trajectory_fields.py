"""Fields beyond ART's own: a subclass's fields stored as ART stores them, a misspelt key
refused however it is given, and a file's unmodelled fields named once, not once a file."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from art.store.parquet import groups_to_table
from art.store.parquet_read import UnkeptFieldWarning, read_groups
from art.trajectories import History, Trajectory, TrajectoryGroup


class ProjectTrajectory(Trajectory):
    """As ART's examples subclass it: the rollout's answer beside the transcript."""

    final_answer: str | None = None
    turns: int = 0


def _doc(t: Trajectory) -> dict:
    [text] = groups_to_table([TrajectoryGroup([t])]).column("trajectory_json").to_pylist()
    return json.loads(text)


def test_a_subclass_field_is_stored_after_logs_when_not_its_default() -> None:
    """ART's writer dumps the whole model, a subclass's fields included (defaults left out):
    ours dropped them, so `trajectory_json->>'final_answer'` was NULL for our files only."""
    t = ProjectTrajectory(messages_and_choices=[{"role": "user", "content": "q"}], reward=1.0, logs=["l"])
    t.final_answer = "42 ü"
    doc = _doc(t)
    assert list(doc) == ["reward", "logs", "final_answer", "messages_and_choices"]
    assert doc["final_answer"] == "42 ü"


def test_a_subclass_field_is_kept_on_the_nan_path() -> None:
    t = ProjectTrajectory(reward=1.0, metrics={"m": math.nan}, turns=3)
    assert _doc(t)["turns"] == 3


def test_a_subclass_that_allows_extra_keywords_takes_and_stores_them() -> None:
    """pydantic's own `extra="allow"` is the subclass's choice: not refused, and stored."""

    class Loose(Trajectory, extra="allow"):
        pass

    t = Loose(reward=0.5, note="kept")
    assert _doc(t)["note"] == "kept"
    with pytest.raises(ValueError, match=r"Trajectory\.rewrad"):
        Trajectory(rewrad=0.5)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Trajectory(reward=1.0), "Trajectory.rewrad"),
        (TrajectoryGroup([Trajectory()]), "TrajectoryGroup.rewrad"),
        (History(), "History.rewrad"),
    ],
)
def test_model_copy_with_a_misspelt_key_is_refused(model: object, field: str) -> None:
    """pydantic's model_copy(update=) does not validate: a misspelt key was set beside the
    fields (the reward stayed 1.0, logged as such) and broke the next assignment."""
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        model.model_copy(update={"rewrad": 2.0})  # type: ignore[attr-defined]


def test_model_copy_with_known_keys_still_updates() -> None:
    t = Trajectory(reward=1.0)
    assert t.model_copy(update={"reward": 2.0}).reward == 2.0


def _file_with_unknown_field(path: Path) -> Path:
    table = groups_to_table([TrajectoryGroup([Trajectory(reward=0.5)])])
    i = table.schema.get_field_index("trajectory_json")
    docs = [json.dumps({**json.loads(d), "exchanges": {}}) for d in table.column(i).to_pylist()]
    field = table.schema.field(i)
    pq.write_table(table.set_column(i, field, pa.array(docs, field.type)), path)
    return path


def test_reading_many_files_with_the_same_unmodelled_field_warns_once(tmp_path: Path) -> None:
    """Python shows a warning once per place: reading each file reset the warnings filters
    (to hide NaN reward warnings), so a loop over a run's files warned once a file."""
    paths = [_file_with_unknown_field(tmp_path / f"{i:04d}.parquet") for i in range(3)]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        for path in paths:
            read_groups(path)
    assert [w.category for w in seen] == [UnkeptFieldWarning]


def test_a_stored_nan_reward_is_read_back_without_a_warning(tmp_path: Path) -> None:
    """It warned when it was logged; reading it back stays quiet (without touching the
    process's warning filters, see above)."""
    path = tmp_path / "0001.parquet"
    pq.write_table(groups_to_table([TrajectoryGroup([Trajectory.model_construct(reward=math.nan)])]), path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        [t] = read_groups(path)[0].trajectories
    assert math.isnan(t.reward) and seen == []


def test_trajectory_messages_are_those_of_get_messages_as_in_art() -> None:
    """ART's Trajectory.messages() is get_messages of its items (as History.messages() is):
    ours kept a user's content None (a request OpenAI refuses) and dropped the content key of
    a tool-calling choice."""
    from openai.types.chat.chat_completion import Choice

    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    choice = Choice.model_validate(
        {"finish_reason": "tool_calls", "index": 0, "message": {"role": "assistant", "tool_calls": [call]}}
    )
    items = [{"role": "user", "content": None}, choice, {"role": "tool", "tool_call_id": "c", "content": "r"}]
    t = Trajectory(messages_and_choices=items, additional_histories=[History(messages_and_choices=items)])
    assert t.messages() == t.additional_histories[0].messages()
    assert t.messages() == [
        {"role": "user", "content": ""},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c", "content": "r"},
    ]
