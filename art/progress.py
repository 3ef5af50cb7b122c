"""Progress bars on stderr, drawn only when it is a terminal, all in one live display.

Two rich displays drawn at once overwrite each other's lines (a gather's bar inside an
`iterate_dataset` loop, or train and val gathered side by side), so every bar is a row of
one shared display: the first bar starts it, the last one closing stops it. A bar that
closes while others are still drawn is printed once above them, as it ended, and leaves the
display, so a long loop's display stays as tall as the bars still running.

The display takes over stdout only when stdout is a terminal too (`python train.py > log`
keeps the loop's prints in the log), and is stopped at exit if a bar is still open (a loop
interrupted while its generator is held), so the cursor comes back. It is redrawn when a
bar starts, moves (at most every 0.1 s, as tqdm's `mininterval`) or ends, never by a timer:
a `breakpoint()` in the loop's body is not painted over ten times a second, as with ART's
tqdm bar.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from typing import Any

_lock = threading.Lock()
_shared: Any = None  # the rich Progress drawn now, or None
_bars = 0  # how many open bars share it
_drawn = 0.0  # time.monotonic() of the last redraw
_EVERY = 0.1  # seconds between redraws while bars move


def _new_display() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[postfix]}"),
        console=console,
        disable=not console.is_terminal,
        transient=False,
        redirect_stdout=_stdout_is_terminal(),
        auto_refresh=False,
    )


def _stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty is not None and isatty())


@atexit.register
def _stop_at_exit() -> None:
    global _shared, _bars
    with _lock:
        progress, _shared, _bars = _shared, None, 0
    if progress is not None:
        progress.stop()


def _redraw(progress: Any, soon: bool = False) -> None:
    """Redraw now, or (`soon`) only if the last redraw is 0.1 s old; under `_lock`."""
    global _drawn
    now = time.monotonic()
    if soon and now - _drawn < _EVERY:
        return
    _drawn = now
    progress.refresh()


class Bar:
    """One row of the shared display: `desc`, `completed` of `total`, and a postfix text."""

    def __init__(self, desc: str, total: int | None, completed: int = 0) -> None:
        global _shared, _bars
        with _lock:
            if _shared is None:
                _shared = _new_display()
                _shared.start()
            _bars += 1
            self._progress = _shared
            self._task = _shared.add_task(desc, total=total, completed=completed, postfix="")
            self._open = True
            _redraw(_shared)

    def advance(self, n: int = 1, postfix: str | None = None) -> None:
        """Move the bar on; nothing once closed (a late rollout of a gather that raised)."""
        with _lock:  # not while another thread's close removes the row
            if not self._open:
                return
            if postfix is None:
                self._progress.update(self._task, advance=n)
            else:
                self._progress.update(self._task, advance=n, postfix=postfix)
            _redraw(self._progress, soon=True)

    def close(self) -> None:
        """Leave the display (printed above the others if any are still drawn); idempotent."""
        global _shared, _bars
        with _lock:
            if not self._open:
                return
            self._open = False
            progress = self._progress
            if progress is not _shared:  # stopped at exit already
                return
            _bars -= 1
            if _bars == 0:
                _shared = None
                progress.stop()
                return
            task = next(t for t in progress.tasks if t.id == self._task)
            progress.remove_task(self._task)
            if not progress.disable:
                _redraw(progress)  # the others' rows, drawn without it, then it above them
                progress.console.print(progress.make_tasks_table([task]))
