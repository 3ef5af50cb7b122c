"""`art lake ...`: operator commands for a DuckLake store named by the environment
(ART_LAKE_CATALOG, ART_LAKE_DATA_PATH, ...): create it, maintain it, drop runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from art.cli_support import guard as _guard

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

app = typer.Typer(
    help="Operate a DuckLake store (named by ART_LAKE_CATALOG and ART_LAKE_DATA_PATH).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _store() -> DuckLakeStore:
    from art.store.lake import DuckLakeStore

    store = _guard(DuckLakeStore.from_env)
    if store is None:
        _guard(_missing)
    return store


def _missing() -> None:
    from art.errors import MissingSettingError

    raise MissingSettingError(
        "ART_LAKE_CATALOG",
        "`art lake` commands work on the DuckLake it names (its PostgreSQL catalog, with "
        "ART_LAKE_DATA_PATH for its files; see the README's DuckLake section)",
    )


@app.command()
def init() -> None:
    """Create the lake's catalog and tables if they are missing (safe to race with writers)."""
    from art.store.lake_admin import init as create

    store = _store()
    created = _guard(create, store)
    typer.echo(f"{store.describe()}: {'created' if created else 'exists already'}")


@app.command()
def maintain(
    keep_seconds: Annotated[
        int, typer.Option(min=0, help="Keep snapshots and unreferenced files younger than this.")
    ] = 3600,
    orphan_seconds: Annotated[
        int | None,
        typer.Option(min=0, help="Delete orphaned files older than this (default: keep-seconds, >= 900)."),
    ] = None,
) -> None:
    """Flush, merge, expire snapshots, delete old and orphaned files; lists what it deleted."""
    from art.store.lake_maintain import maintain as run

    store = _store()
    report = _guard(run, store, keep_seconds, orphan_seconds)
    typer.echo(f"{store.describe()}: " + ", ".join(f"{k} {v}" for k, v in report.counts().items()))
    for path in report.orphans_deleted:
        typer.echo(f"deleted orphan {path}")


@app.command("drop-run")
def drop_run(
    project: str,
    model: str,
    split: Annotated[str | None, typer.Option("--split", "-s", help="Only this split.")] = None,
    before_step: Annotated[int | None, typer.Option(help="Only steps before this one.")] = None,
) -> None:
    """Delete a run's trajectories and history (or its older steps); files go at the next maintain."""
    from art.store.lake_admin import drop_run as drop

    counts = _guard(drop, _store(), project, model, split, before_step)
    typer.echo(
        f"dropped {project}/{model}: {counts['trajectories']} trajectory rows, "
        f"{counts['history']} history rows"
    )
