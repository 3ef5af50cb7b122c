"""ART's `load_trajectories`: a project's trajectories as one polars frame, a row each.

The same frame openpipe-art 0.5.23 builds (model, split, step, reward, group_number,
messages, logs, then a `metric_*`, `metadata_*`, `group_metric_*` and `group_metadata_*`
column per key found), read in one SQL query through `art.connect()` (its sandbox, names
bound as values) instead of one query per file with the path spelt into the SQL. Rows come
in order of model, split, step and group (ART: in the order its folder listings return), and
`group_number` counts groups in that order from 1. A store that is not there is an error
naming the path (ART returns an empty frame); a project with no trajectories gives an empty
frame, as in ART.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

from art.errors import MissingExtraError

if TYPE_CHECKING:
    import polars as pl

    from art.store.base import Store


async def load_trajectories(
    project_name: str,
    models: list[str] | None = None,
    debug: bool = False,
    art_path: str | os.PathLike[str] | Store | None = None,
) -> pl.DataFrame:
    """Every trajectory of `project_name` (of `models` only, when given) in the store at
    `art_path` (a base path or a Store; default `.art`, where `art.Model` logs);
    `debug` prints how many were read."""
    try:
        import polars as pl
    except ImportError as e:
        raise MissingExtraError("load_trajectories", "polars", "notebook") from e
    store = art_path if art_path is not None else ".art"
    rows = await asyncio.to_thread(_read, store, project_name, None if models is None else list(models))
    if debug:
        print(f"load_trajectories: {len(rows)} trajectories of project {project_name!r}")
    if not rows:
        return pl.DataFrame()
    return _frame(pl, rows)


def _read(store: Any, project: str, models: list[str] | None) -> list[tuple[Any, ...]]:
    import art
    from art.store.sql import run

    con = art.connect(store)
    try:
        return run(con, "trajectories_flat", project=project, models=models).fetchall()
    finally:
        con.close()


def _json_object(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _message(m: dict[str, Any]) -> dict[str, Any]:
    out = {"role": m.get("role"), "content": m.get("content"), "trainable": m.get("trainable") or False}
    calls = m.get("tool_calls")
    if calls:
        with contextlib.suppress(TypeError, ValueError):  # left out, as ART leaves it
            out["tool_calls"] = json.loads(calls)
    return out


def _frame(pl: Any, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    columns: dict[str, Any] = {}
    groups: dict[tuple[Any, ...], int] = {}
    out = []
    for model, split, step, group_index, reward, messages, logs, *texts in rows:
        number = groups.setdefault((model, split, step, group_index), len(groups) + 1)
        row: dict[str, Any] = {
            "model": model,
            "split": split,
            "step": step,
            "reward": reward,
            "group_number": number,
            "messages": [_message(m) for m in messages or []],
            "logs": logs,
        }
        metrics, metadata, group_metrics, group_metadata = (_json_object(t) for t in texts)
        for order, (prefix, values, kind, as_text) in enumerate(
            (
                ("metric_", metrics, pl.Float64, False),
                ("metadata_", metadata, pl.Utf8, True),
                ("group_metric_", group_metrics, pl.Float64, False),
                ("group_metadata_", group_metadata, pl.Utf8, True),
            )
        ):
            for key, value in values.items():
                columns.setdefault(prefix + key, (order, kind))
                row[prefix + key] = str(value) if as_text else value
        out.append(row)
    call = pl.Struct({"function": pl.Struct({"name": pl.Utf8, "arguments": pl.Utf8})})
    message = pl.Struct(
        {"role": pl.Utf8, "content": pl.Utf8, "tool_calls": pl.List(call), "trainable": pl.Boolean}
    )
    schema = {
        "model": pl.Utf8,
        "split": pl.Utf8,
        "step": pl.Int64,
        "reward": pl.Float64,
        "group_number": pl.Int64,
        "messages": pl.List(message),
        "logs": pl.List(pl.Utf8),
        # each kind's columns by name (ART's come in a set's order, which varies by process)
        **{name: columns[name][1] for name in sorted(columns, key=lambda n: (columns[n][0], n))},
    }
    return pl.DataFrame(out, schema=schema)
