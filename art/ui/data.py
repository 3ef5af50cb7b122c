"""The dashboard's reads: one named query from `sql/ui/*.sql` each, shaped for the pages."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from art.store.sql import run

TRAJECTORY_COLUMNS = ("group_index", "trajectory_index", "reward", "metrics", "metadata", "tools", "logs")
JSON_COLUMNS = ("metrics", "metadata", "group_metadata", "group_metrics", "tools", "exceptions")


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def stamp(cur: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever anything is logged; pages poll it to know when to reload."""
    runs, calls, last = run(cur, "ui/stamp").fetchone() or (0, 0, None)
    return f"{runs}:{calls}:{last}"


def stamp_answer(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {"stamp": stamp(cur)}


def runs(cur: duckdb.DuckDBPyConnection, metric: str, window: int, mode: str) -> dict[str, Any]:
    rows = _rows(run(cur, "ui/runs", metric=metric, window=window, mode=mode))
    config = _differing_config(cur)
    keys = sorted({k for c in config.values() for k in c})
    metrics = [m for (m,) in run(cur, "ui/metric_names").fetchall()]
    for r in rows:
        r["config"] = config.get(f"{r['project']}/{r['model']}", {})
    return {
        "metric": metric,
        "window": window,
        "mode": mode,
        "metrics": metrics,
        "config_keys": keys,
        "runs": rows,
    }


def _differing_config(cur: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per run, its config keys (flattened: `opt.lr`) whose values differ between the runs that
    have a config, as JSON text: the rule `art runs` shows (art/run_config.py)."""
    from art.run_config import differing_keys, flatten

    flat = {f"{p}/{m}": flatten(c) for p, m, c in run(cur, "ui/run_configs").fetchall()}
    keys = differing_keys(list(flat.values()))
    return {
        run_name: {k: json.dumps(c[k]) if k in c else None for k in keys}
        for run_name, c in flat.items()
        if c
    }


def curves(
    cur: duckdb.DuckDBPyConnection,
    selected: tuple[tuple[str, str], ...],
    window: int,
    mode: str,
    max_points: int,
) -> dict[str, Any]:
    """Per run and metric: steps, raw and smoothed values (thinned in SQL), and the best step.

    One query for all runs; its rows come back as Arrow columns, ordered by run, metric and
    step, and are cut into series where the key changes (no Python loop over points)."""
    names = [f"{p}/{m}" for p, m in selected]
    query = run(cur, "ui/curves", runs=names, window=window, mode=mode, max_points=max_points)
    table = query.to_arrow_table()
    out = {f"{p}/{m}": {"project": p, "model": m, "metrics": {}} for p, m in selected}
    columns = {c: table.column(c).to_pylist() for c in ("step", "value", "smoothed")}
    for start, end in _runs_of(table, ("project", "model", "metric")):
        project, model, metric = (table.column(c)[start].as_py() for c in ("project", "model", "metric"))
        out[f"{project}/{model}"]["metrics"][metric] = {
            "steps": columns["step"][start:end],
            "values": columns["value"][start:end],
            "smoothed": columns["smoothed"][start:end],
            "points": table.column("points")[start].as_py(),
            "best_step": table.column("best_step")[start].as_py(),
            "best_smoothed": table.column("best_smoothed")[start].as_py(),
        }
    return {"window": window, "mode": mode, "runs": list(out.values())}


def _runs_of(table: pa.Table, keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each run of equal keys in a table sorted by them."""
    if not table.num_rows:
        return []
    ends: set[int] = set()
    for key in keys:
        encoded = pc.run_end_encode(table.column(key).combine_chunks())
        ends.update(encoded.run_ends.to_pylist())
    bounds = [0, *sorted(ends)]
    return list(pairwise(bounds))


def steps(cur: duckdb.DuckDBPyConnection, project: str | None, model: str | None) -> dict[str, Any]:
    """Every run's name, and the splits and steps (newest first) that hold trajectories of the
    given run, or of the first run when none (or an unknown one) is given: one request fills
    the page's pickers."""
    names = [f"{p}/{m}" for p, m in run(cur, "ui/run_names").fetchall()]
    if f"{project}/{model}" not in names:
        project, model = names[0].split("/") if names else (None, None)
    by_split: dict[str, list[int]] = {}
    unreadable: dict[str, dict[str, str]] = {}  # split -> step (JSON's text key) -> why unreadable
    if project is not None:
        for split, step, error in run(cur, "ui/steps", project=project, model=model).fetchall():
            by_split.setdefault(split, []).append(step)
            if error is not None:
                unreadable.setdefault(split, {})[str(step)] = error
    return {"runs": names, "project": project, "model": model, "splits": by_split, "unreadable": unreadable}


def trajectories(
    cur: duckdb.DuckDBPyConnection, project: str, model: str, split: str, step: int
) -> dict[str, Any]:
    """Groups in order, each with its trajectories best first and its exceptions."""
    groups: dict[int, dict[str, Any]] = {}
    rows = _rows(run(cur, "ui/trajectories", project=project, model=model, split=split, step=step))
    for r in rows:
        for c in JSON_COLUMNS:
            if isinstance(r[c], str):
                r[c] = orjson.loads(r[c])
        g = groups.setdefault(
            r["group_index"],
            {
                "group_index": r["group_index"],
                "metadata": r["group_metadata"],
                "metrics": r["group_metrics"],
                "logs": r["group_logs"],
                "exceptions": r["exceptions"] or [],
                "trajectories": [],
            },
        )
        if r["reward"] is not None:  # else the placeholder row of a group without trajectories
            t = {k: r[k] for k in TRAJECTORY_COLUMNS}
            if t["trajectory_index"] is None:  # v1 files (ART 0.5.9) carry no index: the place in the list
                t["trajectory_index"] = len(g["trajectories"])
            t["messages"] = [_message(m) for m in r["messages"] or []]
            g["trajectories"].append(t)
    return {"project": project, "model": model, "split": split, "step": step, "groups": list(groups.values())}


def _message(m: dict[str, Any]) -> dict[str, Any]:
    calls = m.get("tool_calls")
    if isinstance(calls, str):
        calls = orjson.loads(calls)
    return {**m, "tool_calls": calls}
