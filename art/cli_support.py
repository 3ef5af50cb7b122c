"""Plumbing every `art` command module shares: library errors as one line on stderr, exit
codes, the --json/--csv check and progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer


def fail(error: BaseException, code: int = 1) -> None:
    message = " ".join(str(error).split()) or type(error).__name__
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def guard(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the library; our errors and DuckDB's become one line on stderr: exit 2 for a value
    the user gave that can never work, 1 for everything else."""
    import duckdb

    from art.errors import ArtError, InvalidNameError, InvalidValueError

    try:
        return fn(*args, **kwargs)
    except (InvalidNameError, InvalidValueError) as e:
        fail(e, 2)
    except (ArtError, duckdb.Error, OSError) as e:
        fail(e)


def warning_line(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
    line: str | None = None,
) -> None:
    """A library warning as the commands print their errors: one line on stderr (Python's own
    format adds the file, line and source of the warn() call, which say nothing to a user).
    Only line breaks are joined: a path in the text may hold two spaces in a row."""
    typer.echo(f"warning: {' '.join(str(message).splitlines())}", err=True)


def one_format(as_json: bool, as_csv: bool) -> None:
    """Refuse --json with --csv before any work is done (exit 2)."""
    if as_json and as_csv:
        fail(ValueError("--json and --csv cannot be used together"), 2)


@contextmanager
def progress(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr while long work runs; nothing when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def advance(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        yield advance
