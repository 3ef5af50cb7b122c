"""The dashboard's reads: one named query from `sql/ui/*.sql` each, shaped for the pages."""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Any

import duckdb
import orjson

from art.store.sql import run
from art.ui.downsample import downsample

JSON_COLUMNS = ("metrics", "metadata", "group_metadata", "group_metrics", "tools", "exceptions")


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def stamp(cur: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever anything is logged; pages poll it to know when to reload."""
    runs, calls, last = run(cur, "ui/stamp").fetchone() or (0, 0, None)
    return f"{runs}:{calls}:{last}"


def runs(cur: duckdb.DuckDBPyConnection, metric: str, window: int, mode: str) -> dict[str, Any]:
    rows = _rows(run(cur, "ui/runs", metric=metric, window=window, mode=mode))
    config: dict[str, dict[str, Any]] = {}
    try:
        for r in _rows(run(cur, "ui/config_diff")):
            config.setdefault(f"{r['project']}/{r['model']}", {})[r["key"]] = r["value"]
    except duckdb.CatalogException:  # a DuckLake store has no models view (no model.json)
        pass
    keys = sorted({k for c in config.values() for k in c})
    for r in rows:
        r["config"] = config.get(f"{r['project']}/{r['model']}", {})
    return {"metric": metric, "window": window, "mode": mode, "config_keys": keys, "runs": rows}


def curves(
    cur: duckdb.DuckDBPyConnection,
    selected: list[tuple[str, str]],
    window: int,
    mode: str,
    max_points: int,
) -> dict[str, Any]:
    """Per run and metric: steps, raw and smoothed values (downsampled), and the best step."""
    out = []
    for project, model in selected:
        rows = run(cur, "ui/curves", project=project, model=model, window=window, mode=mode).fetchall()
        metrics = {}
        for metric, points in groupby(rows, key=itemgetter(0)):
            series = list(points)  # (metric, step, value, smoothed, is_best)
            best = next((p for p in series if p[4]), None)
            shown = downsample(series, max_points, value=2, keep=4)
            metrics[metric] = {
                "steps": [p[1] for p in shown],
                "values": [p[2] for p in shown],
                "smoothed": [p[3] for p in shown],
                "points": len(series),
                "best_step": best[1] if best else None,
                "best_smoothed": best[3] if best else None,
            }
        out.append({"project": project, "model": model, "metrics": metrics})
    return {"window": window, "mode": mode, "runs": out}


def steps(cur: duckdb.DuckDBPyConnection, project: str, model: str) -> dict[str, Any]:
    by_split: dict[str, list[int]] = {}
    for split, step, _calls in run(cur, "ui/steps", project=project, model=model).fetchall():
        by_split.setdefault(split, []).append(step)
    return {"project": project, "model": model, "splits": by_split}


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
        if r["trajectory_index"] is not None:
            t = {k: r[k] for k in ("trajectory_index", "reward", "metrics", "metadata", "tools", "logs")}
            t["messages"] = [_message(m) for m in r["messages"] or []]
            g["trajectories"].append(t)
    return {"project": project, "model": model, "split": split, "step": step, "groups": list(groups.values())}


def _message(m: dict[str, Any]) -> dict[str, Any]:
    calls = m.get("tool_calls")
    if isinstance(calls, str):
        calls = orjson.loads(calls)
    return {**m, "tool_calls": calls}
