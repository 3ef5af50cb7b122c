"""Fewer points for a chart than a series holds, without moving its extremes or best step.

A chart a thousand pixels wide cannot show more than a few points per pixel; sending them
all costs JSON and drawing time. Per bucket of steps we keep the first point and the points
of the smallest and largest raw value, plus every point flagged `keep` (the best step), so
spikes stay visible and the marked best step is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def downsample(rows: Sequence[dict[str, Any]], max_points: int) -> list[dict[str, Any]]:
    """`rows` sorted by step, each with `value` and `keep`; at most ~max_points come back."""
    if len(rows) <= max_points:
        return list(rows)
    buckets = max(1, max_points // 3)
    size = len(rows) / buckets
    kept: set[int] = {len(rows) - 1}
    for b in range(buckets):
        lo, hi = int(b * size), min(len(rows), int((b + 1) * size))
        if lo >= hi:
            continue
        part = range(lo, hi)
        kept.add(lo)
        kept.add(min(part, key=lambda i: rows[i]["value"]))
        kept.add(max(part, key=lambda i: rows[i]["value"]))
    kept.update(i for i, r in enumerate(rows) if r.get("keep"))
    return [rows[i] for i in sorted(kept)]
