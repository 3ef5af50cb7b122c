"""The metrics `backend.train()` returns, as ART 0.5.23's LocalBackend computes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from art.errors import InvalidValueError
from art.store.ledger import batch_summary

if TYPE_CHECKING:
    from art.trajectories import TrajectoryGroup

INVARIANT_KEYS = frozenset({"data/step_num_gradient_steps"})


def average_samples(samples: Iterable[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the samples that carry it; an invariant key must not vary."""
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    fixed: dict[str, float] = {}
    for sample in samples:
        for key, value in sample.items():
            value = float(value)
            if key in INVARIANT_KEYS:
                if key in fixed and fixed[key] != value:
                    raise InvalidValueError(
                        key, value, f"must be the same in every sample (was {fixed[key]})"
                    )
                fixed[key] = value
            totals[key] = totals.get(key, 0.0) + value
            counts[key] = counts.get(key, 0) + 1
    return {k: fixed[k] if k in fixed else totals[k] / counts[k] for k in totals}


def training_metrics(
    samples: Sequence[dict[str, float]], groups: Sequence[TrajectoryGroup], elapsed_s: float
) -> dict[str, float]:
    """Averaged trainer samples, `time/step_backend_train_s` and the batch's data counts."""
    out = average_samples(samples)
    tokens_per_s = out.pop("tokens_per_second", None)
    if tokens_per_s is not None:
        out.setdefault("throughput/train_executed_tok_equiv_per_s", tokens_per_s)
    out.setdefault("time/step_backend_train_s", elapsed_s)
    data, _ = batch_summary(groups, train=True)
    for key, value in data.items():
        out.setdefault(key, value)
    return out


def average_metrics(dicts: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the dicts that carry it; `num_gradient_steps` is left out (as ART)."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            if k == "num_gradient_steps":
                continue
            sums[k] = sums.get(k, 0.0) + float(v)
            counts[k] = counts.get(k, 0) + 1
    return {k: sums[k] / counts[k] for k in sums}
