"""Trajectory groups <-> Arrow table <-> parquet file, in ART's lossless v2 format.

Writes v2 (the JSON envelopes `group_json`/`trajectory_json` are the truth; the v1 columns
beside them are for analysis and for ART 0.5.9's reader). Reads v2 exactly and v1 lossily.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from art.errors import OutsideStoreError, StoreWriteError, UnsupportedFormatError
from art.store.confined import folder, open_file
from art.store.paths import temp_name

if TYPE_CHECKING:  # pydantic is only needed to read groups back, not to write or index files
    from art.trajectories import Trajectory, TrajectoryGroup

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


def _flat_message(item: Any) -> dict[str, Any] | None:
    """The v1 `messages` struct for one message or choice; None when content is not text."""
    if isinstance(item, dict):
        if "role" not in item and "message" in item:
            msg, trainable = item["message"], True
        else:
            msg, trainable = item, False
    else:
        msg, trainable = item.message, True
    if not isinstance(msg, dict):
        msg = {"role": msg.role, "content": msg.content, "tool_calls": msg.tool_calls}
    content = msg.get("content")
    if content is not None and not isinstance(content, str):
        return None
    tool_calls = msg.get("tool_calls")
    if tool_calls and not isinstance(tool_calls, str):
        # ART writes this column with json's default separators
        tool_calls = json.dumps([c if isinstance(c, dict) else c.model_dump(mode="json") for c in tool_calls])
    return {
        "role": msg.get("role"),
        "content": content,
        "tool_calls": tool_calls or None,
        "tool_call_id": None if trainable else msg.get("tool_call_id"),
        "trainable": trainable,
    }


def _trajectory_json(t: Trajectory) -> str:
    """The whole trajectory; keys in ART's order, each only when present."""
    doc: dict[str, Any] = {}
    if t.tools:
        doc["tools"] = t.tools
    doc["reward"] = t.reward
    if t.metrics:
        doc["metrics"] = t.metrics
    if t.metadata:
        doc["metadata"] = t.metadata
    if t.logs:
        doc["logs"] = t.logs
    if not _finite(t.metrics) or t.reward != t.reward:
        doc["messages_and_choices"] = [json.loads(_item_text(m)) for m in t.messages_and_choices]
        return _compact_nan(doc)
    # splice the items' JSON texts in, rather than re-encode their dumps
    head = _compact(doc)[:-1]
    items = ",".join(_item_text(m) for m in t.messages_and_choices)
    return f'{head},"messages_and_choices":[{items}]}}'


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
    cols: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for gi, g in enumerate(groups):
        group_values = {
            "format_version": FORMAT_VERSION,
            "group_index": gi,
            "group_json": _group_json(g),
            "group_metadata": _compact_or_none(g.metadata),
            "group_metrics": _compact_or_none(g.metrics),
            "group_logs": g.logs or None,
        }
        for ti, t in enumerate(g.trajectories or [None]):
            for name, value in group_values.items():
                cols[name].append(value)
            if t is None:
                for name in TRAJECTORY_COLUMNS:
                    cols[name].append(None)
                continue
            cols["trajectory_index"].append(ti)
            cols["trajectory_json"].append(_trajectory_json(t))
            cols["reward"].append(t.reward)
            cols["metrics"].append(
                _compact_or_none(t.metrics) if _finite(t.metrics) else _compact_nan(t.metrics)
            )
            cols["metadata"].append(_compact_or_none(t.metadata))
            cols["tools"].append(_compact_or_none(t.tools))
            cols["logs"].append(t.logs or None)
            flat = [_flat_message(m) for m in t.messages_and_choices]
            cols["messages"].append(None if any(f is None for f in flat) else flat)
    counts = {
        COUNT_KEYS["groups"]: str(len(groups)).encode(),
        COUNT_KEYS["trajectories"]: str(sum(len(g.trajectories) for g in groups)).encode(),
        COUNT_KEYS["exceptions"]: str(sum(len(g.exceptions) for g in groups)).encode(),
    }
    return pa.Table.from_pydict(cols, schema=SCHEMA.with_metadata({**SCHEMA.metadata, **counts}))


# Counts kept in the file's metadata beside ART's version marker, so the catalog indexes a
# file from its footer alone (ART's readers ignore other keys; files from ART lack them).
COUNT_KEYS = {name: f"art.{name}".encode() for name in ("groups", "trajectories", "exceptions")}
TRAJECTORY_COLUMNS = (
    "trajectory_index",
    "trajectory_json",
    "reward",
    "metrics",
    "metadata",
    "tools",
    "logs",
    "messages",
)


def write_table(table: pa.Table, path: Path) -> int:
    """`write_table_at` for a path whose folder the caller trusts (made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder(path.parent, ()) as dir_fd:
        return write_table_at(table, dir_fd, path.name, path)


def write_table_at(table: pa.Table, dir_fd: int, name: str, shown: Path) -> int:
    """Write under a temp name in the folder `dir_fd`, then rename over `name`: readers see the
    old file or the new one, never a torn one; a link is replaced, never followed. Returns
    the file's size in bytes; a failed write leaves nothing and names the file."""
    tmp = temp_name(shown).name
    try:
        fd = open_file(dir_fd, tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, shown.with_name(tmp))
        with open(fd, "wb") as f:
            # page CRCs let the catalog tell a damaged page from a good one (file_stats)
            pq.write_table(
                table,
                f,
                compression="zstd",
                row_group_size=max(1, table.num_rows),
                write_page_checksum=True,
            )
            f.flush()
            size = os.fstat(fd).st_size
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)
        if isinstance(e, OSError) and not isinstance(e, StoreWriteError | OutsideStoreError):
            raise StoreWriteError(e.errno, f"could not write {shown}: {e.strerror or e}") from e
        raise
    return size


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


def _groups_from_v2(rows: list[dict[str, Any]]) -> list[TrajectoryGroup]:
    from art.trajectories import ExceptionRecord, Trajectory, TrajectoryGroup

    groups: dict[int, tuple[dict[str, Any], list[Trajectory]]] = {}
    for row in rows:
        gi = row["group_index"]
        if gi not in groups:
            groups[gi] = (json.loads(row["group_json"]), [])
        if row["trajectory_json"] is None:
            continue
        doc = json.loads(row["trajectory_json"])
        doc["messages_and_choices"] = [_restore_item(m) for m in doc.get("messages_and_choices", [])]
        groups[gi][1].append(Trajectory.model_validate(doc))
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
    from art.trajectories import Trajectory, TrajectoryGroup

    groups: dict[int, tuple[dict[str, Any], list[Trajectory]]] = {}
    for row in rows:
        if row.get("reward") is None and row.get("messages") is None:
            continue
        gi = row.get("group_index", 0)  # files before group columns: one group, as ART reads them
        if gi not in groups:
            groups[gi] = (row, [])
        groups[gi][1].append(
            Trajectory(
                messages_and_choices=[_v1_message(m) for m in row.get("messages") or []],
                reward=row["reward"],
                metrics=json.loads(row["metrics"]) if row.get("metrics") else {},
                metadata=json.loads(row["metadata"]) if row.get("metadata") else {},
                tools=json.loads(row["tools"]) if row.get("tools") else None,
                logs=row.get("logs") or [],
            )
        )
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
    from art.trajectories import NanRewardWarning

    with warnings.catch_warnings():  # a stored NaN reward warned when it was logged
        warnings.simplefilter("ignore", NanRewardWarning)
        return _read_groups(path)


def _read_groups(path: str | Path) -> list[TrajectoryGroup]:
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
