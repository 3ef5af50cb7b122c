"""The `art` command: a thin adapter that parses arguments, calls one library function and
prints its result (a table, or --json / --csv for scripts). Errors are one line on stderr."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from art import lake_cli

app = typer.Typer(
    help="Query and maintain an ART metrics store (.art) with DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

BasePath = Annotated[Path, typer.Option("--base-path", "-b", help="The store's base path.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON rows.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
Window = Annotated[int, typer.Option("--window", "-w", min=1, help="Trailing smoothing window.")]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _emit(result: Any, as_json: bool, as_csv: bool, title: str | None = None) -> None:
    if as_json:
        rows = [{c: _plain(v) for c, v in zip(result.columns, r, strict=True)} for r in result.rows]
        typer.echo(json.dumps(rows, indent=2))
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows([[_plain(v) for v in r] for r in result.rows])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in result.columns:
        table.add_column(c)
    for r in result.rows:
        table.add_row(*[_format(v) for v in r])
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(_plain(value))


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


def _store(base_path: Path) -> Any:
    """The store to use, resolved once: the DuckLake named by ART_LAKE_CATALOG /
    ART_LAKE_DATA_PATH, else the local store at --base-path."""
    from art.store.resolve import store_from_env

    return _guard(store_from_env, base_path)


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the library; our errors and DuckDB's become one line on stderr and exit code 1."""
    import duckdb

    from art.errors import ArtError

    try:
        return fn(*args, **kwargs)
    except (ArtError, duckdb.Error, OSError) as e:
        _fail(e)


@app.command()
def runs(base_path: BasePath = Path(".art"), as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List every run (project and model) in the store."""
    from art import analysis

    _emit(_guard(analysis.runs, _store(base_path)), as_json, as_csv, "runs")


@app.command()
def history(
    project: str,
    model: str,
    metric: Annotated[str | None, typer.Option("--metric", "-m", help="Only this metric.")] = None,
    split: Annotated[str | None, typer.Option("--split", "-s", help="Only this split.")] = None,
    window: Window = 1,
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Per-step metric values of one model, with a trailing mean over --window steps."""
    from art import analysis

    result = _guard(
        analysis.history,
        _store(base_path),
        project,
        model,
        metric=metric,
        split=split,
        window=window,
    )
    _emit(result, as_json, as_csv, f"{project}/{model}")


@app.command("best-step")
def best_step(
    project: str,
    model: str,
    metric: Annotated[str, typer.Option("--metric", "-m", help="The metric to rank by.")] = "val/reward",
    window: Window = 1,
    mode: Annotated[str, typer.Option("--mode", help="max or min.")] = "max",
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="How many steps to list.")] = 1,
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The best checkpoint step by a metric (what delete_checkpoints would keep)."""
    from art import analysis

    result = _guard(
        analysis.best_step,
        _store(base_path),
        project,
        model,
        metric,
        window=window,
        mode=mode,
        top_k=top_k,
    )
    _emit(result, as_json, as_csv, f"best {metric}")


@app.command("sql")
def sql_command(
    statement: Annotated[str, typer.Argument(help="A SELECT over runs, history, trajectories, ...")],
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Run a read-only SQL query over the store (writes are refused)."""
    from art import analysis

    _emit(_guard(analysis.sql, _store(base_path), statement), as_json, as_csv)


@app.command()
def rebuild(base_path: BasePath = Path(".art")) -> None:
    """Recreate the catalog from the files (also imports stores written by openpipe-art)."""
    from rich.progress import Progress

    from art.store.local import LocalStore

    with Progress(transient=True) as bar:
        task = bar.add_task("ingesting", total=None)

        def advance(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        n = _guard(LocalStore(base_path).rebuild, advance)
    typer.echo(f"rebuilt {base_path / 'catalog.duckdb'} from {n} model(s)")


@app.command()
def maintain(
    keep_seconds: Annotated[
        int, typer.Option(min=0, help="Keep snapshots and unreferenced files younger than this.")
    ] = 3600,
    base_path: BasePath = Path(".art"),
) -> None:
    """Compact a DuckLake store (flush inlined rows, merge files, expire snapshots, delete
    old files); safe while writers run. Local stores: rebuilds the catalog."""
    store = _store(base_path)
    counts = _guard(store.maintain, keep_seconds=keep_seconds)
    typer.echo(f"{store.describe()}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command()
def plot(
    project: str,
    model: str,
    metric: Annotated[str, typer.Option("--metric", "-m", help="The metric to plot.")] = "val/reward",
    window: Window = 3,
    mode: Annotated[str, typer.Option("--mode", help="max or min, for the best step.")] = "max",
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")] = Path("curve.png"),
    base_path: BasePath = Path(".art"),
) -> None:
    """Plot a metric per step, its smoothed curve and the chosen best step (needs matplotlib)."""
    from art import analysis
    from art.plotting import plot_metric

    store = _store(base_path)
    series = _guard(analysis.history, store, project, model, metric=metric, window=window)
    if not series.rows:
        from art.errors import MetricNotFoundError

        _fail(MetricNotFoundError(metric, []))
    best = _guard(analysis.best_step, store, project, model, metric, window=window, mode=mode)
    _guard(plot_metric, series, best.rows[0], metric, window, output, f"{project}/{model}")
    typer.echo(f"wrote {output}")


@app.command()
def demo(
    base_path: BasePath = Path(".art"),
    steps: Annotated[int, typer.Option(min=1, help="Training steps.")] = 30,
    window: Window = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Run a small real training run on the CPU into the store, then keep the best checkpoint."""
    from art.demo import run_demo

    r = _guard(asyncio.run, run_demo(base_path, steps=steps, smoothing_window=window, seed=seed))
    typer.echo(f"trained demo/{r['model']} for {r['final_step']} steps into {base_path}/")
    first = [v for _, v in r["val_curve"][:3]]
    last = [v for _, v in r["val_curve"][-3:]]
    typer.echo(
        f"val/reward: first 3 steps {sum(first) / len(first):.3f}, last 3 steps {sum(last) / len(last):.3f}"
    )
    typer.echo(f"best step, no smoothing:     {r['best_raw'][0]} (val/reward {r['best_raw'][1]:.3f})")
    typer.echo(
        f"best step, window {r['smoothing_window']}:         {r['best_smoothed'][0]} "
        f"(smoothed val/reward {r['best_smoothed'][1]:.3f})"
    )
    typer.echo(f"checkpoints kept: {r['kept_checkpoints']} (others deleted)")
    policy = ", ".join(f"{k} {v:.2f}" for k, v in r["final_policy"].items())
    typer.echo(f"final policy: {policy}")
    typer.echo("strategies sampled in the last 5 train steps (SQL over trajectories):")
    for strategy, n in r["late_train_strategies"]:
        typer.echo(f"  {strategy:<12} {n}")
    typer.echo(f"try: art history demo {r['model']} --metric val/reward --window {r['smoothing_window']}")


app.add_typer(lake_cli.app, name="lake")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
