"""The `art` command: a thin adapter that parses arguments, calls one library function and
prints its result (a table that fits the terminal, or --json / --csv for scripts).

Our errors are one line on stderr with exit code 1; bad usage (a malformed name or value
included) exits 2. New commands register with `@app.command()` or `app.add_typer(...)`.
"""

from __future__ import annotations

import enum
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from art import __version__, lake_cli
from art.cli_support import fail as _fail
from art.cli_support import guard as _guard
from art.cli_support import one_format as _one_format
from art.cli_support import progress as _progress
from art.cli_support import warning_line

app = typer.Typer(
    help="Query and maintain an ART metrics store (.art) with DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Mode(enum.StrEnum):
    max = "max"
    min = "min"


DEFAULT_WINDOW = 1
BasePath = Annotated[Path, typer.Option("--base-path", "-b", help="The store's base path.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON rows.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
Wide = Annotated[bool, typer.Option("--wide", help="Show every column, however wide the table.")]
Window = Annotated[
    int, typer.Option("--window", "-w", min=1, help="Trailing smoothing window (steps).", show_default=True)
]
ModeOption = Annotated[Mode, typer.Option("--mode", help="Whether higher or lower is better.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"art {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Query and maintain an ART metrics store (.art) with DuckDB."""


def _store(base_path: Path) -> Any:
    """The store to use, resolved once: the DuckLake named by ART_LAKE_CATALOG /
    ART_LAKE_DATA_PATH, else the local store at --base-path."""
    from art.store.resolve import store_from_env

    return _guard(store_from_env, base_path)


def _emit(result: Any, as_json: bool, as_csv: bool, wide: bool = False, **table: Any) -> None:
    if as_json or as_csv:  # scripts: no table renderer (rich) imported
        from art import cli_output

        print_rows = cli_output.print_json if as_json else cli_output.print_csv
        print_rows(result.columns, result.rows)
    else:
        from art import cli_table

        cli_table.print_table(result.columns, result.rows, wide=wide, **table)


@app.command()
def runs(
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            "-c",
            metavar="<key>",
            help="Show this config key (repeat); default: keys that differ.",
        ),
    ] = None,
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    wide: Wide = False,
) -> None:
    """List every run (project and model) in the store, with config keys that differ."""
    _one_format(as_json, as_csv)
    from art import analysis
    from art.run_config import with_config_columns

    store = _store(base_path)
    result = _guard(with_config_columns, _guard(analysis.runs, store), config)
    if not result.rows:  # an empty table alone does not say why: name the store (and the one beside it)
        typer.echo(f"warning: no runs in {store.describe()}", err=True)
    first = ("config", "trajectory_files", "first_step", "base_model", "trainable", "last_recorded_at")
    first += ("exceptions", "log_calls", "trajectories")
    _emit(result, as_json, as_csv, wide, title="runs", keep=("project", "model"), drop_first=first)


@app.command()
def history(
    project: str,
    model: str,
    metric: Annotated[str | None, typer.Option("--metric", "-m", help="Only this metric.")] = None,
    split: Annotated[str | None, typer.Option("--split", "-s", help="Only this split.")] = None,
    window: Window = DEFAULT_WINDOW,
    pivot: Annotated[
        bool, typer.Option("--pivot", help="Wide format: one row per step, one column per metric.")
    ] = False,
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    wide: Wide = False,
) -> None:
    """Per-step metric values of one model, with a trailing mean over --window steps."""
    _one_format(as_json, as_csv)
    from art import analysis

    result = _guard(
        analysis.history, _store(base_path), project, model, metric=metric, split=split, window=window
    )
    first: list[str] = []
    if pivot:  # rewards stay in view longest
        result = analysis.pivot_history(result, window)
        first = [c for c in reversed(result.columns) if not c.partition(" (mean of ")[0].endswith("/reward")]
    title = f"{project}/{model}"
    _emit(result, as_json, as_csv, wide, title=title, keep=("step", "metric"), drop_first=first)


@app.command("best-step")
def best_step(
    project: str,
    model: str,
    metric: Annotated[str, typer.Option("--metric", "-m", help="The metric to rank by.")] = "val/reward",
    window: Window = DEFAULT_WINDOW,
    mode: ModeOption = Mode.max,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="How many steps to list.")] = 1,
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The best checkpoint step by a metric (what delete_checkpoints would keep)."""
    _one_format(as_json, as_csv)
    from art import analysis

    result = _guard(
        analysis.best_step,
        _store(base_path),
        project,
        model,
        metric,
        window=window,
        mode=mode.value,
        top_k=top_k,
    )
    _emit(result, as_json, as_csv, title=f"best {metric}")


@app.command("sql")
def sql_command(
    statement: Annotated[str, typer.Argument(help="A SELECT over runs, history, trajectories, ...")],
    base_path: BasePath = Path(".art"),
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    wide: Wide = False,
) -> None:
    """Run a read-only SQL query over the store (writes are refused)."""
    _one_format(as_json, as_csv)
    from art import analysis

    _emit(_guard(analysis.sql, _store(base_path), statement), as_json, as_csv, wide)


@app.command()
def rebuild(base_path: BasePath = Path(".art")) -> None:
    """Recreate the catalog from the files (also imports stores written by openpipe-art)."""
    from art.store.local import LocalStore

    with _progress("reading the files") as advance:
        n = _guard(LocalStore(base_path).rebuild, advance)
    if n == 0:
        _fail(
            ValueError(f"found no PROJECT/models/MODEL folders under {str(base_path)!r}: nothing to rebuild")
        )
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
    with _progress("maintaining") as advance:
        counts = _guard(store.maintain, keep_seconds=keep_seconds, progress=advance)
    typer.echo(f"{store.describe()}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command()
def plot(
    project: str,
    models: Annotated[list[str], typer.Argument(help="One or more models of the project.")],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric", "-m", metavar="<metric>", help="A metric to plot (repeat); default val/reward."
        ),
    ] = None,
    window: Window = DEFAULT_WINDOW,
    mode: Annotated[
        list[Mode] | None,
        typer.Option(
            "--mode",
            metavar="<max|min>",
            help="Whether higher or lower is better: once for all metrics, or once per -m in order.",
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")] = Path("curve.png"),
    base_path: BasePath = Path(".art"),
) -> None:
    """Plot runs side by side: per metric, each run's values, smoothed curve and best step
    (needs matplotlib: the plot extra)."""
    from art.plotting import curves, plot_curves

    metrics = metric or ["val/reward"]
    modes = [m.value for m in mode or [Mode.max]]
    items = _guard(curves, _store(base_path), project, models, metrics, window, modes)
    written = _guard(plot_curves, items, window, output, f"{project}: {', '.join(models)}")
    typer.echo(f"wrote {written}")


@app.command()
def demo(
    base_path: BasePath = Path(".art"),
    steps: Annotated[int, typer.Option(min=1, help="Training steps.")] = 30,
    window: Annotated[
        int, typer.Option("--window", "-w", min=1, help="Smoothing window for the best step.")
    ] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    name: Annotated[str | None, typer.Option(help="Model name (default arith-seed<SEED>).")] = None,
) -> None:
    """Run a small real training run on the CPU into the store, then keep the best checkpoint.
    Run again, it continues the same model; --name starts another."""
    import asyncio  # here: the other commands need no event loop (it costs ~45 ms of import)

    from art.demo import report_lines, run_demo
    from art.store.paths import validate_name

    if name is not None:  # before any work: the model's own check is pydantic's, a traceback here
        _guard(validate_name, "--name", name)
    with _progress("training") as advance:
        r = _guard(
            asyncio.run,
            run_demo(
                base_path,
                steps=steps,
                smoothing_window=window,
                seed=seed,
                name=name,
                progress=lambda done, total: advance(f"training step {done}/{total}", done, total),
            ),
        )
    for line in report_lines(r, base_path):
        typer.echo(line)


@app.command()
def ui(
    base_path: BasePath = Path(".art"),
    host: Annotated[str, typer.Option(help="Address to bind; not loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[
        str | None, typer.Option(envvar="ART_UI_TOKEN", help="A secret every request must carry.")
    ] = None,
) -> None:
    """Serve a read-only dashboard of runs, curves, trajectories and SQL (needs the ui extra)."""
    try:
        from art.ui.server import serve
    except ImportError as e:
        _fail(ImportError(f"{e.name} is missing: pip install 'art-duckdb[ui]'"))
    store = _store(base_path)
    _guard(lambda: store.connect().close())  # a mistyped path fails here, as in every command
    _guard(serve, store, host, port, token)


app.add_typer(lake_cli.app, name="lake")


def main() -> None:
    warnings.showwarning = warning_line
    app()


if __name__ == "__main__":
    main()
