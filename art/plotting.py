"""Runs side by side as a PNG: one panel per metric, one colour per run, each run's raw
per-step values, its trailing mean over the window and its best step (a star)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from art.analysis import best_step, history
from art.errors import InvalidArgumentError, MissingExtraError
from art.store.resolve import StoreLike, as_store


@dataclass(frozen=True)
class Curve:
    """One run's values of one metric: what a panel draws for it."""

    model: str
    metric: str
    steps: list[int]
    values: list[float]
    smoothed: list[float]
    best: tuple[int, float]


def curves(
    store: StoreLike,
    project: str,
    models: Sequence[str],
    metrics: Sequence[str],
    window: int,
    mode: str | Sequence[str],
) -> list[Curve]:
    """Every (model, metric) curve; a missing model or metric raises before anything is drawn.
    `mode` ("max" or "min") picks each best step: one for every metric, or one per metric in
    their order (a reward's best is its highest, a loss's its lowest)."""
    modes = [mode] * len(metrics) if isinstance(mode, str) else list(mode)
    if len(modes) == 1:
        modes *= len(metrics)
    if len(modes) != len(metrics):
        per = f"{len(metrics)}: {', '.join(metrics)}"
        raise InvalidArgumentError("mode", list(modes), f"give one mode, or one per metric ({per})")
    store = as_store(store)
    out = []
    for model in models:
        for metric, mode in zip(metrics, modes, strict=True):
            series = history(store, project, model, metric=metric, window=window)
            best = best_step(store, project, model, metric, window=window, mode=mode).rows[0]
            out.append(
                Curve(
                    model,
                    metric,
                    [r[2] for r in series.rows],
                    [r[3] for r in series.rows],
                    [r[4] for r in series.rows],
                    (int(best[0]), float(best[1])),
                )
            )
    return out


def plot_curves(items: Sequence[Curve], window: int, output: Path, title: str) -> Path:
    """Draw the curves into `output` and return the file written: a name without a suffix
    gets `.png` (as matplotlib would write it); a suffix matplotlib cannot write is refused
    before anything is drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise MissingExtraError("plotting", "matplotlib", "plot") from e
    if not output.suffix:
        output = output.with_name(output.name + ".png")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if output.suffix[1:].lower() not in formats:
        kinds = ", ".join(sorted(formats))
        why = f"cannot write {output.suffix} files; use one of: {kinds}"
        raise InvalidArgumentError("output", str(output), why)
    metrics = list(dict.fromkeys(c.metric for c in items))
    models = list(dict.fromkeys(c.model for c in items))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(8, 3.6 * len(metrics)), dpi=100, squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    smooth_label = f"trailing mean, window {window}" if window > 1 else "per step"
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        for c in (c for c in items if c.metric == metric):
            colour = colours[models.index(c.model) % len(colours)]
            if window > 1:
                ax.plot(c.steps, c.values, "o", color=colour, alpha=0.3, markersize=3)
            ax.plot(c.steps, c.smoothed, "-", color=colour, linewidth=2, label=f"{c.model} ({smooth_label})")
            ax.plot(
                [c.best[0]],
                [c.best[1]],
                "*",
                color=colour,
                markeredgecolor="black",
                markersize=14,
                label=f"{c.model} best step {c.best[0]} ({c.best[1]:.3f})",
            )
        ax.set_xlabel("step")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    axes[0, 0].set_title(title)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    plt.close(fig)
    return output
