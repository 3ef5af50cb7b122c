"""Which checkpoints to keep: the latest and the best by a metric, chosen by one SQL query."""

from __future__ import annotations

from dataclasses import dataclass

from art.errors import InvalidArgumentError, MetricNotFoundError
from art.lookup import check_run_exists
from art.store.paths import validate_name
from art.store.resolve import StoreLike, as_store
from art.store.sql import run_checked as run


@dataclass(frozen=True)
class BestStep:
    """A chosen step, its smoothed metric value and its own (unsmoothed) value."""

    step: int
    smoothed: float
    value: float


def _check(window: int, mode: str, top_k: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise InvalidArgumentError("smoothing_window", window, "must be an integer >= 1")
    if mode not in ("max", "min"):
        raise InvalidArgumentError("mode", mode, "must be 'max' or 'min'")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise InvalidArgumentError("keep_top_k", top_k, "must be an integer >= 1")


def best_steps(
    store: StoreLike,
    project: str,
    model: str,
    metric: str,
    *,
    window: int = 1,
    mode: str = "max",
    top_k: int = 1,
) -> list[BestStep]:
    """The `top_k` best steps, best first; raises MetricNotFoundError when the metric is absent."""
    validate_name("project", project)
    validate_name("model", model)
    _check(window, mode, top_k)
    if not isinstance(metric, str):
        raise InvalidArgumentError("metric", metric, "must be a string")
    store = as_store(store)
    rows = store.metric_rows(project, model, metric, "best_step", window=window, mode=mode, top_k=top_k)
    if not rows:  # the whole history, only to name the metrics there are
        with store.history(project, model) as con:
            available = [r[0] for r in run(con, "metrics_of_model", project=project, model=model).fetchall()]
        if not available:  # nothing logged: say which name is wrong, not that the metric is
            check_run_exists(store, project, model)
        raise MetricNotFoundError(metric, available, f"{project}/{model}")
    return [BestStep(int(s), float(sm), float(v)) for s, sm, v in rows]


def steps_to_keep(latest: int, best: list[BestStep], keep_last_n: int = 1) -> list[int]:
    """The latest `keep_last_n` steps (counting down from the latest) and the best ones."""
    if isinstance(keep_last_n, bool) or not isinstance(keep_last_n, int) or keep_last_n < 1:
        raise InvalidArgumentError("keep_last_n", keep_last_n, "must be an integer >= 1")
    keep = {latest - i for i in range(keep_last_n) if latest - i >= 0}
    keep.update(b.step for b in best)
    return sorted(keep)
