"""Fewer points for a chart than a series holds, without moving its extremes or best step.

A chart a thousand pixels wide cannot show more than a few points per pixel; sending them
all costs JSON and drawing time. Per bucket of steps we keep the first point and the points
of the smallest and largest raw value, plus every point flagged `keep` (the best step), so
spikes stay visible and the marked best step is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def downsample(rows: Sequence[Sequence[Any]], max_points: int, *, value: int, keep: int) -> list[Any]:
    """`rows` sorted by step; `row[value]` is the raw value, `row[keep]` true for a point that
    must stay. At most about `max_points` rows come back, in order."""
    n = len(rows)
    if n <= max_points:
        return list(rows)
    buckets = max(1, max_points // 3)
    kept: set[int] = {n - 1}
    for b in range(buckets):
        lo, hi = b * n // buckets, (b + 1) * n // buckets
        if lo >= hi:
            continue
        values = [rows[i][value] for i in range(lo, hi)]
        kept.add(lo)
        kept.add(lo + values.index(min(values)))
        kept.add(lo + values.index(max(values)))
    kept.update(i for i in range(n) if rows[i][keep])
    return [rows[i] for i in sorted(kept)]
