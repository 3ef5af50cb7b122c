"""Parquet trajectory files -> groups: v2 exactly (ours and ART 0.5.23's), v1 as ART reads it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from art.errors import UnsupportedFormatError
from art.store.parquet import FORMAT_VERSION, VERSION_KEY

if TYPE_CHECKING:
    from art.trajectories import TrajectoryGroup


def file_version(schema: pa.Schema, path: Path | str = "") -> int:
    """1 for a file without a marker and without v2 columns, 2 for a complete v2 file."""
    meta = schema.metadata or {}
    marker = meta.get(VERSION_KEY)
    has_v2_cols = "group_json" in schema.names or "format_version" in schema.names
    if marker is None:
        if has_v2_cols:
            raise UnsupportedFormatError(f"{path}: v2 columns without the version marker (damaged file)")
        return 1
    try:
        version = int(marker.decode())
    except ValueError as e:
        raise UnsupportedFormatError(f"{path}: damaged version marker {marker!r}") from e
    if version != FORMAT_VERSION:
        raise UnsupportedFormatError(f"{path}: trajectory parquet version {version} is not supported")
    if not {"group_json", "trajectory_json", "trajectory_index"} <= set(schema.names):
        raise UnsupportedFormatError(f"{path}: version 2 marker but v2 columns are missing")
    return version


def _restore_item(item: Any) -> Any:
    """A stored Choice dump back as an OpenAI Choice (when openai is installed), but only
    when the Choice dumps back to exactly the stored dict: anything else (a partial
    choice dict, an unknown finish_reason, extra fields) comes back verbatim as the dict."""
    if not (isinstance(item, dict) and {"finish_reason", "index", "message"} <= item.keys()):
        return item
    try:
        from openai.types.chat.chat_completion import Choice
        from pydantic import ValidationError
    except ImportError:
        return item
    try:
        choice = Choice.model_validate(item)
    except ValidationError:
        return item
    return choice if json.loads(choice.model_dump_json()) == item else item


class UnkeptFieldWarning(UserWarning):
    """A trajectory file holds fields this library does not model (a newer ART's, say):
    they are left out of the objects read back (the file keeps them; SQL sees them in
    `trajectory_json`)."""


def _known(doc: Any, cls: type[Any]) -> Any:
    """`doc` without the keys `cls` does not have, with a warning naming them."""
    if not isinstance(doc, dict):
        return doc
    unknown = [k for k in doc if k not in cls.model_fields]
    if unknown:
        warnings.warn(
            f"{cls.__name__} fields {unknown} in a trajectory file are not read back by this library",
            UnkeptFieldWarning,
            stacklevel=2,
        )
        doc = {k: v for k, v in doc.items() if k not in unknown}
    return doc


def _groups_from_v2(rows: list[dict[str, Any]]) -> list[TrajectoryGroup]:
    from art.trajectories import STORED, ExceptionRecord, History, Trajectory, TrajectoryGroup

    groups: dict[int, tuple[dict[str, Any], list[Trajectory]]] = {}
    for row in rows:
        gi = row["group_index"]
        if gi not in groups:
            groups[gi] = (json.loads(row["group_json"]), [])
        if row["trajectory_json"] is None:
            continue
        doc = _known(json.loads(row["trajectory_json"]), Trajectory)
        doc["messages_and_choices"] = [_restore_item(m) for m in doc.get("messages_and_choices", [])]
        histories = doc.get("additional_histories") or []
        for i, history in enumerate(histories):
            if isinstance(history, dict):
                histories[i] = history = _known(history, History)
                history["messages_and_choices"] = [
                    _restore_item(m) for m in history.get("messages_and_choices") or []
                ]
        groups[gi][1].append(Trajectory.model_validate(doc, context={STORED: True}))
    out = []
    for gi in sorted(groups):
        gdoc, trajs = groups[gi]
        out.append(
            TrajectoryGroup(
                trajs,
                exceptions=[ExceptionRecord.model_validate(e) for e in gdoc.get("exceptions", [])],
                metadata=gdoc.get("metadata", {}),
                metrics=gdoc.get("metrics", {}),
                logs=gdoc.get("logs", []),
            )
        )
    return out


def _v1_message(m: dict[str, Any]) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": m["role"], "content": m["content"]}
    if m.get("tool_calls"):
        msg["tool_calls"] = json.loads(m["tool_calls"])
    if m.get("tool_call_id"):
        msg["tool_call_id"] = m["tool_call_id"]
    return msg


def _groups_from_v1(rows: list[dict[str, Any]]) -> list[TrajectoryGroup]:
    """v1 is lossy: choices come back as plain messages; exceptions were never stored."""
    from art.trajectories import STORED, Trajectory, TrajectoryGroup

    groups: dict[int, tuple[dict[str, Any], list[Trajectory]]] = {}
    for row in rows:
        if row.get("reward") is None and row.get("messages") is None:
            continue
        gi = row.get("group_index", 0)  # files before group columns: one group, as ART reads them
        if gi not in groups:
            groups[gi] = (row, [])
        doc = {
            "messages_and_choices": [_v1_message(m) for m in row.get("messages") or []],
            "reward": row["reward"],
            "metrics": json.loads(row["metrics"]) if row.get("metrics") else {},
            "metadata": json.loads(row["metadata"]) if row.get("metadata") else {},
            "tools": json.loads(row["tools"]) if row.get("tools") else None,
            "logs": row.get("logs") or [],
        }
        groups[gi][1].append(Trajectory.model_validate(doc, context={STORED: True}))
    out = []
    for gi in sorted(groups):
        first, trajs = groups[gi]
        out.append(
            TrajectoryGroup(
                trajs,
                metadata=json.loads(first["group_metadata"]) if first.get("group_metadata") else {},
                metrics=json.loads(first["group_metrics"]) if first.get("group_metrics") else {},
                logs=first.get("group_logs") or [],
            )
        )
    return out


def read_groups(path: str | Path) -> list[TrajectoryGroup]:
    """Read a trajectory file written by this library or by ART (v1 or v2)."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise UnsupportedFormatError(f"{path}: not a readable parquet file ({e})") from e
    version = file_version(table.schema, path)
    rows = table.to_pylist()
    if version == 2:
        rows.sort(
            key=lambda r: (
                r["group_index"],
                r["trajectory_index"] is not None,
                r["trajectory_index"] or 0,
            )
        )
        return _groups_from_v2(rows)
    rows.sort(key=lambda r: r.get("group_index", 0))
    return _groups_from_v1(rows)
