"""How the `art` command prints a result for scripts: JSON or CSV (tables: art.cli_table).

Every DuckDB result type has a JSON form (Decimal, blobs, UUIDs, intervals, nested values,
NaN), so `--json` never fails on what a query returns. Nothing here imports rich: a script's
`--json` or `--csv` does not pay for the table renderer (~40 ms of import).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import json
import math
import sys
import uuid
from collections.abc import Sequence
from typing import Any


def jsonable(value: Any) -> Any:
    """The value as plain JSON data: NaN/Infinity become null, blobs base64, intervals ISO 8601."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _iso_duration(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else json.dumps(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def _iso_duration(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    seconds = value.seconds + value.microseconds / 1e6
    return f"{sign}P{value.days}DT{seconds:g}S"


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell, the same from `art sql --csv` and the dashboard: NaN and the
    infinities as `nan`, `inf`, `-inf` (an empty cell is NULL; a NaN reward is stored on
    purpose), maps and lists as JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    plain = jsonable(value)
    if isinstance(plain, dict | list):
        return json.dumps(plain, ensure_ascii=False)
    return plain


def print_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    data = [{c: jsonable(v) for c, v in zip(columns, r, strict=True)} for r in rows]
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def print_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    writer.writerows([[csv_cell(v) for v in r] for r in rows])
