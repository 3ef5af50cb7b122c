"""Hyperparameters side by side: each run's `config` (from model.json) flattened to dotted keys,
and the keys whose values differ between runs, which is what a reader compares."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from art.analysis import Result
from art.errors import NotFoundError


def flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """{"opt": {"lr": 0.1}} -> {"opt.lr": 0.1}; a non-dict config is one key, the prefix."""
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            return {prefix or "config": config}
    if not isinstance(config, dict):
        return {} if config is None else {prefix or "config": config}
    out: dict[str, Any] = {}
    for k, v in config.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out.update(flatten(v, key) if isinstance(v, dict) else {key: v})
    return out


def differing_keys(configs: Sequence[dict[str, Any]]) -> list[str]:
    """Keys whose value is not the same in every run that has a config."""
    present = [c for c in configs if c]
    keys = sorted({k for c in present for k in c})
    return [k for k in keys if len({json.dumps(c.get(k), sort_keys=True) for c in present}) > 1]


def with_config_columns(result: Result, keys: Sequence[str] | None) -> Result:
    """The runs result with a `config.KEY` column per key (`keys`, or those that differ); a key
    in no run's config raises NotFoundError (when there are runs)."""
    at = result.columns.index("config")
    configs = [flatten(r[at]) for r in result.rows]
    chosen = list(keys) if keys else differing_keys(configs)
    known = sorted({k for c in configs for k in c})
    for key in chosen:  # a typo would be an empty column, as if no run had set it
        if result.rows and key not in known:
            raise NotFoundError("config key", key, known)
    rows = [
        (
            *(json.loads(v) if i == at and isinstance(v, str) else v for i, v in enumerate(r)),
            *(c.get(k) for k in chosen),
        )
        for r, c in zip(result.rows, configs, strict=True)
    ]
    return Result([*result.columns, *(f"config.{k}" for k in chosen)], rows)
