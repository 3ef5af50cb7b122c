"""How the `art` command prints a result as a table that fits the terminal (rich).

Data is never markup: cells are rich `Text`, so `[/INST]` or `:x:` print as written.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import shutil
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from art.cli_output import jsonable


def terminal_width() -> int:
    """COLUMNS when set, else the terminal's width, else 80 (a pipe gets a predictable layout)."""
    return shutil.get_terminal_size((80, 24)).columns


def _decimals(values: list[float]) -> int:
    """One precision per column: about four significant digits of the column's largest value."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    top = max(finite, default=0.0)
    if top == 0:
        return 3
    return max(0, min(6, 3 - math.floor(math.log10(top))))


def _spans_decades(values: list[float]) -> bool:
    """Whether the column's precision would print some nonzero value with no significant digit
    (one token count of 50,000 in a column of rewards made every reward 0 or 1)."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    return bool(finite) and max(finite) / min(finite) >= 1000


def _cells(values: list[Any]) -> tuple[list[Text], bool]:
    """A column's cells as text, and whether the column is numeric (right-aligned)."""
    present = [v for v in values if v is not None]
    numeric = bool(present) and all(
        isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool) for v in present
    )
    if numeric and any(not isinstance(v, int) for v in present):
        floats = [float(v) for v in present]
        if _spans_decades(floats):  # metrics of different scales (long format): each its own
            return [Text("" if v is None else f"{float(v):.{_decimals([float(v)])}f}") for v in values], True
        places = _decimals(floats)
        return [Text("" if v is None else f"{float(v):.{places}f}") for v in values], True
    out = []
    for v in values:
        if v is None:
            out.append(Text(""))
        elif isinstance(v, dt.datetime):
            out.append(Text(v.strftime("%Y-%m-%d %H:%M:%S")))
        elif isinstance(v, str):
            out.append(Text(v))
        elif isinstance(v, int | bool):
            out.append(Text(str(v).lower() if isinstance(v, bool) else str(v)))
        else:
            plain = jsonable(v)
            out.append(Text(plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)))
    return out, numeric


def _table(
    columns: Sequence[str], cells: dict[str, tuple[list[Text], bool]], keep: Sequence[str], title: str | None
) -> Table:
    table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAD, pad_edge=False)
    for c in columns:
        col_cells, numeric = cells[c]
        widest = max([len(c), *(t.cell_len for t in col_cells)])
        table.add_column(
            Text(c),
            justify="right" if numeric else "left",
            no_wrap=numeric or c in keep,
            min_width=widest if (numeric or c in keep) else None,
            overflow="fold",
        )
    for i in range(len(next(iter(cells.values()))[0]) if cells else 0):
        table.add_row(*[cells[c][0][i] for c in columns])
    return table


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    wide: bool = False,
    keep: Sequence[str] = (),
    drop_first: Sequence[str] = (),
    width: int | None = None,
) -> None:
    """A table that fits `width` (the terminal's): columns in `drop_first`, then the rightmost
    others not in `keep`, are hidden until it fits, and a caption names them. `wide` shows all."""
    width = width or terminal_width()
    cells = {c: _cells([r[i] for r in rows]) for i, c in enumerate(columns)}
    shown = list(columns)
    order = [c for c in drop_first if c in columns]
    order += [c for c in reversed(columns) if c not in keep and c not in order]
    ruler = Console(width=10**6)
    # a table's natural width is set by each column's widest cell: measure a two-row table of
    # those (measuring every cell again for each column dropped took ~1 s for 200 rows)
    probe = {c: (_widest(texts), numeric) for c, (texts, numeric) in cells.items()}

    def natural_width(shown: list[str]) -> int:
        return Measurement.get(ruler, ruler.options, _table(shown, probe, keep, title)).maximum

    while not wide and order and natural_width(shown) > width:
        shown.remove(order.pop(0))
    table = _table(shown, cells, keep, title)
    hidden = [c for c in columns if c not in shown]
    if hidden:
        table.caption = Text(f"hidden to fit {width} columns: {', '.join(hidden)} (--wide shows all)")
    console = Console(
        width=max(natural_width(shown), 20) if wide else width, markup=False, emoji=False, highlight=False
    )
    console.print(table)


def _widest(texts: list[Text]) -> list[Text]:
    """The cell with the longest text and the one with the longest line (they set a column's
    width and its measured maximum)."""
    if not texts:
        return []
    longest = max(texts, key=lambda t: t.cell_len)
    widest_line = max(texts, key=lambda t: max(cell_len(line) for line in t.plain.split("\n")))
    return [longest, widest_line]
