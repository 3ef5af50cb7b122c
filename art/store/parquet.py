"""Trajectory groups -> Arrow table -> parquet file, in ART's lossless v2 format.

Writes v2 (the JSON envelopes `group_json`/`trajectory_json` are the truth; the v1 columns
beside them are for analysis and for ART 0.5.9's reader). Reading is `parquet_read`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from art.store.confined import folder, open_file, unlink_quietly, write_all, write_error
from art.store.paths import temp_name
from art.store.sync_worker import sync_and_close_soon

if TYPE_CHECKING:  # pydantic is only needed to read groups back, not to write or index files
    from art.trajectories import History, Trajectory, TrajectoryGroup

FORMAT_VERSION = 2
VERSION_KEY = b"art.trajectory_parquet.version"

MESSAGE_TYPE = pa.struct(
    [
        ("role", pa.string()),
        ("content", pa.string()),
        ("tool_calls", pa.string()),
        ("tool_call_id", pa.string()),
        ("trainable", pa.bool_()),
    ]
)
SCHEMA = pa.schema(
    [
        ("format_version", pa.int16()),
        ("group_index", pa.int64()),
        ("trajectory_index", pa.int64()),
        ("group_json", pa.large_string()),
        ("trajectory_json", pa.large_string()),
        ("group_metadata", pa.string()),
        ("group_metrics", pa.string()),
        ("group_logs", pa.list_(pa.string())),
        ("reward", pa.float64()),
        ("metrics", pa.string()),
        ("metadata", pa.string()),
        ("tools", pa.string()),
        ("logs", pa.list_(pa.string())),
        ("messages", pa.list_(MESSAGE_TYPE)),
    ],
    metadata={VERSION_KEY: str(FORMAT_VERSION).encode()},
)


def _compact(value: Any) -> str:
    """ART's v2 JSON text: no spaces, non-ASCII kept (orjson: about 5x faster than json)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _compact_nan(value: Any) -> str:
    """As ART: NaN and infinity written as JSON's NaN/Infinity tokens (orjson would write null)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _finite(metrics: dict[str, Any]) -> bool:
    return all(not isinstance(v, float) or math.isfinite(v) for v in metrics.values())


def _compact_or_none(value: Any) -> str | None:
    return _compact(value) if value else None


def _item_text(item: Any) -> str:
    """A message as given, or a Choice object's full OpenAI dump, as compact JSON text."""
    return _compact(item) if isinstance(item, dict) else item.model_dump_json()


def _flat_message(item: Any) -> tuple[str | None, str | None, str | None, str | None, bool] | None:
    """The v1 `messages` struct (role, content, tool_calls, tool_call_id, trainable) of one
    message or choice; None when content is not text."""
    if isinstance(item, dict):
        if "role" not in item and "message" in item:
            msg, trainable = item["message"], True
        else:
            msg, trainable = item, False
    else:
        msg, trainable = item.message, True
    if isinstance(msg, dict):
        role, content, tool_calls = msg.get("role"), msg.get("content"), msg.get("tool_calls")
        tool_call_id = None if trainable else msg.get("tool_call_id")
    else:  # an OpenAI message object: a choice's, trainable
        role, content, tool_calls, tool_call_id = msg.role, msg.content, msg.tool_calls, None
    if content is not None and not isinstance(content, str):
        return None
    if tool_calls and not isinstance(tool_calls, str):
        # ART writes this column with json's default separators
        tool_calls = json.dumps([c if isinstance(c, dict) else c.model_dump(mode="json") for c in tool_calls])
    return (role, content, tool_calls or None, tool_call_id, trainable)


class _MessagesColumn:
    """The `messages` column built field by field (a list of dicts per row costs pyarrow
    several times more to convert, and Python as many dicts to make)."""

    def __init__(self) -> None:
        self.fields: tuple[list[Any], ...] = ([], [], [], [], [])
        self.offsets = [0]
        self.nulls: list[bool] = []

    def add(self, items: Sequence[Any] | None) -> None:
        flat = [_flat_message(m) for m in items] if items is not None else None
        if flat is None or any(f is None for f in flat):
            self.nulls.append(True)
        else:
            for column, values in zip(self.fields, zip(*flat, strict=True), strict=False):
                column.extend(values)
            self.nulls.append(False)
        self.offsets.append(len(self.fields[0]))

    def array(self) -> pa.Array:
        children = [pa.array(v, type=f.type) for v, f in zip(self.fields, MESSAGE_TYPE, strict=True)]
        values = pa.StructArray.from_arrays(children, fields=list(MESSAGE_TYPE))
        mask = pa.array(self.nulls, type=pa.bool_()) if any(self.nulls) else None
        return pa.ListArray.from_arrays(pa.array(self.offsets, type=pa.int32()), values, mask=mask)


def _trajectory_json(t: Trajectory, finite: bool) -> str:
    """The whole trajectory; keys in ART's order, each only when present. `finite`: its
    metrics hold no NaN or infinity."""
    doc: dict[str, Any] = {}
    if t.tools:
        doc["tools"] = t.tools
    doc["reward"] = t.reward
    if t.initial_policy_version is not None:
        doc["initial_policy_version"] = t.initial_policy_version
    if t.final_policy_version is not None:
        doc["final_policy_version"] = t.final_policy_version
    if t.metrics:
        doc["metrics"] = t.metrics
    if t.metadata:
        doc["metadata"] = t.metadata
    if t.logs:
        doc["logs"] = t.logs
    doc.update(_subclass_fields(t))
    if not finite or t.reward != t.reward:
        doc["messages_and_choices"] = [json.loads(_item_text(m)) for m in t.messages_and_choices]
        if t.additional_histories:
            doc["additional_histories"] = [json.loads(_history_text(h)) for h in t.additional_histories]
        return _compact_nan(doc)
    # splice the items' JSON texts in, rather than re-encode their dumps
    head = _compact(doc)[:-1]
    items = ",".join(_item_text(m) for m in t.messages_and_choices)
    if not t.additional_histories:
        return f'{head},"messages_and_choices":[{items}]}}'
    histories = ",".join(_history_text(h) for h in t.additional_histories)
    return f'{head},"messages_and_choices":[{items}],"additional_histories":[{histories}]}}'


def _subclass_fields(t: Trajectory) -> dict[str, Any]:
    """A subclass's own fields (and the extras of one that allows them), as ART's writer
    dumps them after `logs`: JSON values, those at their defaults left out."""
    from art.trajectories import Trajectory

    if type(t) is Trajectory and not t.__pydantic_extra__:
        return {}
    return t.model_dump(mode="json", exclude=set(Trajectory.model_fields), exclude_defaults=True)


def _history_text(h: History) -> str:
    """One of `additional_histories` as ART writes it: its tools (null when none), then its
    items when it has any."""
    head = '{"tools":' + _compact(h.tools)
    if not h.messages_and_choices:
        return head + "}"
    return head + ',"messages_and_choices":[' + ",".join(_item_text(m) for m in h.messages_and_choices) + "]}"


def _group_json(g: TrajectoryGroup) -> str:
    doc: dict[str, Any] = {}
    if g.exceptions:
        doc["exceptions"] = [e.model_dump() for e in g.exceptions]
    if g.metadata:
        doc["metadata"] = g.metadata
    if g.metrics:
        doc["metrics"] = g.metrics
    if g.logs:
        doc["logs"] = g.logs
    return _compact(doc)


def groups_to_table(groups: Sequence[TrajectoryGroup]) -> pa.Table:
    """One row per trajectory, plus one placeholder row for a group with no trajectories."""
    cols: dict[str, Any] = {name: [] for name in SCHEMA.names if name != "messages"}
    messages = _MessagesColumn()
    trajectory_index, trajectory_json, reward, metrics, metadata, tools, logs = (
        cols[name] for name in TRAJECTORY_COLUMNS
    )
    for gi, g in enumerate(groups):
        rows = len(g.trajectories) or 1
        for name, value in (
            ("format_version", FORMAT_VERSION),
            ("group_index", gi),
            ("group_json", _group_json(g)),
            ("group_metadata", _compact_or_none(g.metadata)),
            ("group_metrics", _compact_or_none(g.metrics)),
            ("group_logs", g.logs or None),
        ):
            cols[name].extend([value] * rows)
        if not g.trajectories:
            for name in TRAJECTORY_COLUMNS:
                cols[name].append(None)
            messages.add(None)
            continue
        for ti, t in enumerate(g.trajectories):
            finite = _finite(t.metrics)
            trajectory_index.append(ti)
            trajectory_json.append(_trajectory_json(t, finite))
            reward.append(t.reward)
            metrics.append(_compact_or_none(t.metrics) if finite else _compact_nan(t.metrics))
            metadata.append(_compact_or_none(t.metadata))
            tools.append(_compact_or_none(t.tools))
            logs.append(t.logs or None)
            messages.add(t.messages_and_choices)
    counts = {
        COUNT_KEYS["groups"]: str(len(groups)).encode(),
        COUNT_KEYS["trajectories"]: str(sum(len(g.trajectories) for g in groups)).encode(),
        COUNT_KEYS["exceptions"]: str(sum(len(g.exceptions) for g in groups)).encode(),
    }
    cols["messages"] = messages.array()
    return pa.Table.from_pydict(cols, schema=SCHEMA.with_metadata({**SCHEMA.metadata, **counts}))


# Counts kept in the file's metadata beside ART's version marker, so the catalog indexes a
# file from its footer alone (ART's readers ignore other keys; files from ART lack them).
COUNT_KEYS = {name: f"art.{name}".encode() for name in ("groups", "trajectories", "exceptions")}
TRAJECTORY_COLUMNS = (  # the messages column is built apart (_MessagesColumn)
    "trajectory_index",
    "trajectory_json",
    "reward",
    "metrics",
    "metadata",
    "tools",
    "logs",
)


STATISTICS_COLUMNS = ["format_version", "group_index", "trajectory_index", "reward"]


def encode(table: pa.Table) -> pa.Buffer:
    """The parquet file's bytes, encoded in memory (handed to the OS in one write, rather than
    through a Python file object's many small ones)."""
    sink = pa.BufferOutputStream()
    # page CRCs let the catalog tell a damaged page from a good one (file_stats).
    # No dictionaries (the JSON columns hardly repeat; zstd finds what does): about a
    # fifth less time and smaller files. Min/max statistics only where a filter can use
    # them: a JSON column's would copy its longest values into the footer.
    pq.write_table(
        table,
        sink,
        compression="zstd",  # as openpipe-art writes them
        row_group_size=max(1, table.num_rows),
        write_page_checksum=True,
        use_dictionary=False,
        write_statistics=STATISTICS_COLUMNS,
    )
    return sink.getvalue()


def write_table(table: pa.Table, path: Path) -> int:
    """`write_table_at` for a path whose folder the caller trusts (made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder(path.parent, ()) as dir_fd:
        return write_table_at(table, dir_fd, path.name, path)


def write_table_at(table: pa.Table, dir_fd: int, name: str, shown: Path) -> int:
    """Write under a temp name in the folder `dir_fd`, sync it, rename it over `name` and sync
    the folder: readers see the old file or the new one, never a torn one, and once this
    returns the file survives a power loss (log() appends the step's history line only
    after). A link is replaced, never followed. Returns the file's size in bytes; a failed
    write leaves nothing and names the file."""
    return start_write(table, dir_fd, name, shown, in_background=False).commit()


def start_write(
    table: pa.Table, dir_fd: int, name: str, shown: Path, in_background: bool = True
) -> PendingWrite:
    """`write_table_at` in two halves: the bytes are written under a temp name now and synced
    (`in_background`: in a worker thread, while the caller goes on); `commit()` waits for the
    sync and puts the file in place, `abandon()` removes it. Until `commit()` returns, no
    reader sees the file. A failed write leaves nothing and names the file."""
    tmp = temp_name(shown).name
    try:
        data = encode(table)
        fd = open_file(dir_fd, tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, shown.with_name(tmp))
        try:
            write_all(fd, data)
        except BaseException:
            os.close(fd)
            raise
        synced = sync_and_close_soon(fd) if in_background else None
        if synced is None:
            try:
                os.fdatasync(fd)
            finally:
                os.close(fd)
    except BaseException as e:
        unlink_quietly(dir_fd, tmp)
        named = write_error(e, shown)
        if named is e:
            raise
        raise named from e
    return PendingWrite(dir_fd, tmp, name, shown, data.size, synced)


class PendingWrite:
    """A file written under its temp name, its sync maybe still under way (`start_write`)."""

    def __init__(
        self, dir_fd: int, tmp: str, name: str, shown: Path, size: int, synced: Future[None] | None
    ) -> None:
        self.dir_fd, self.tmp, self.name, self.shown, self.size = dir_fd, tmp, name, shown, size
        self.synced = synced

    def _wait(self) -> None:
        """Until the sync is over (its descriptor closed); raises its error."""
        if self.synced is not None:
            synced, self.synced = self.synced, None
            synced.result()

    def commit(self) -> int:
        """Wait for the sync, rename the file over `name` and sync the folder; returns its size.
        On failure the temp file is removed (after a failed folder sync, the file is in place
        but not known to be on disk: the caller decides)."""
        try:
            self._wait()
            os.replace(self.tmp, self.name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
            os.fsync(self.dir_fd)  # the new name itself
        except BaseException as e:
            unlink_quietly(self.dir_fd, self.tmp)
            named = write_error(e, self.shown)
            if named is e:
                raise
            raise named from e
        return self.size

    def abandon(self) -> None:
        """Remove the temp file (once its sync is over: its descriptor is the worker's)."""
        try:
            with contextlib.suppress(OSError):
                self._wait()
        finally:
            unlink_quietly(self.dir_fd, self.tmp)
