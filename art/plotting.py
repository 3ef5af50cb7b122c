"""A metric's curve as a PNG: raw per-step values, the smoothed curve and the best step."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_metric(
    series: Any, best: tuple[int, float, float], metric: str, window: int, output: Path, title: str
) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'art-duckdb[plot]'") from e
    steps = [r[2] for r in series.rows]
    values = [r[3] for r in series.rows]
    smoothed = [r[4] for r in series.rows]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.plot(steps, values, "o-", alpha=0.45, label=f"{metric} per step")
    ax.plot(steps, smoothed, "-", linewidth=2.2, label=f"trailing mean, window {window}")
    ax.axvline(best[0], color="tab:red", linestyle="--", linewidth=1)
    ax.plot(
        [best[0]],
        [best[1]],
        "*",
        color="tab:red",
        markersize=14,
        label=f"best step {best[0]} ({best[1]:.3f})",
    )
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    plt.close(fig)
