"""history.jsonl: one JSON object per log() call, append-only, read tolerantly.

ART's readers parse this file too, so rows keep ART's shape: metric keys, then
`training_step`, `step`, `recorded_at`. NaN and Infinity are never written (ART's polars
reader breaks on Infinity).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from art.errors import StoreWriteError
from art.store.confined import open_file, write_all
from art.store.paths import RESERVED_SPLITS

RESERVED_KEYS = frozenset({"step", "training_step", "recorded_at"})


class NonFiniteMetricWarning(UserWarning):
    """A metric was NaN or infinite and was left out of the history row."""


def finite_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Drop non-finite values, warning once per call with their names."""
    dropped = [k for k, v in metrics.items() if isinstance(v, float) and not math.isfinite(v)]
    if dropped:
        warnings.warn(
            f"left out of history because they are NaN or infinite: {', '.join(dropped)}",
            NonFiniteMetricWarning,
            stacklevel=4,
        )
        return {k: v for k, v in metrics.items() if k not in dropped}
    return metrics


def now_iso() -> str:
    """Local time with its UTC offset: explicit about its zone, and sortable within a machine."""
    return datetime.now().astimezone().isoformat()


def format_row(metrics: dict[str, Any], step: int, recorded_at: str) -> str:
    row = dict(metrics)
    row["training_step"] = step
    row["step"] = step
    row["recorded_at"] = recorded_at
    return json.dumps(row, allow_nan=False) + "\n"


def append_line(dir_fd: int, line: str, shown: Path) -> None:
    """Append one whole line to `history.jsonl` in the model folder `dir_fd`, durably.

    The caller holds the model's lock. A torn last line (a crash mid-write) is cut off first,
    so readers never meet a garbage line (ART's pandas/polars readers fail on one). Every byte
    is written or none: on a short write (a full disk) the file is cut back to where it was
    and `StoreWriteError` names it.
    """
    fd = open_file(dir_fd, "history.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, shown)
    try:
        size = _cut_torn_tail(fd, os.fstat(fd).st_size)
        try:
            write_all(fd, line.encode("utf-8"))
            os.fdatasync(fd)
            if not size:  # the file's first line, most likely: its new name too
                os.fsync(dir_fd)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise StoreWriteError(
                e.errno, f"could not write {shown}: {e.strerror or e}; the step was not recorded"
            ) from e
    finally:
        os.close(fd)


def _cut_torn_tail(fd: int, size: int) -> int:
    """Truncate a last line that lacks its newline; returns the new size."""
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return size
    end = size
    while end > 0:
        start = max(0, end - 65536)
        chunk = os.pread(fd, end - start, start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            end = start + cut + 1
            break
        end = start
    os.ftruncate(fd, end)
    return end


class HistoryRow(NamedTuple):
    """One parsed history line: its metrics and where it sits in the file."""

    seq: int
    step: int
    training_step: int | None
    recorded_at: str | None
    metrics: dict[str, float]
    split: str


def row_split(keys: list[str]) -> str:
    """The split a row belongs to: the first key's leading path part that is not an ART section.

    ART never writes the split itself; its keys are `{split}/...`, except train-time section
    keys (`data/...`, `loss/...`) that 0.5.17+ writes unprefixed, which belong to train.
    """
    for key in keys:
        head, sep, _ = key.partition("/")
        if sep and head not in RESERVED_SPLITS:
            return head
    return "train"


def _finite(v: object) -> float | None:
    """A JSON number (or boolean) as a finite float; None for anything else, NaN, infinities and
    integers too large for a float (a 400-digit integer must not stop a reader)."""
    if not isinstance(v, int | float):
        return None
    try:
        f = float(v)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def parse_line(seq: int, raw: bytes) -> HistoryRow | None:
    """A history row, or None for a line that is not a JSON object with an integer step."""
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    step = doc.get("step")
    if isinstance(step, bool) or _finite(step) is None:
        return None
    training_step = doc.get("training_step")
    metrics = {k: f for k, v in doc.items() if k not in RESERVED_KEYS and (f := _finite(v)) is not None}
    recorded_at = doc.get("recorded_at")
    return HistoryRow(
        seq=seq,
        step=int(step),
        training_step=int(training_step)
        if not isinstance(training_step, bool) and _finite(training_step) is not None
        else None,
        recorded_at=recorded_at if isinstance(recorded_at, str) else None,
        metrics=metrics,
        split=row_split(list(metrics)),
    )


def read_from(path: Path, offset: int = 0, first_seq: int = 0) -> tuple[list[HistoryRow], int, int]:
    """Rows of the complete lines after byte `offset`; returns (rows, new offset, lines read).

    A last line without its newline is left for later (it may still be being written); a
    line that does not parse is skipped.
    """
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset, 0
    lines = data[: end + 1].split(b"\n")[:-1]
    rows = [r for i, raw in enumerate(lines) if raw.strip() and (r := parse_line(first_seq + i, raw))]
    return rows, offset + end + 1, len(lines)


def read_rows(path: Path) -> Iterator[HistoryRow]:
    if path.exists():
        yield from read_from(path)[0]


# the recorded_at shapes read (ART writes datetime.isoformat()'s); the SQL path reads the same
# (local/insert_history_docs): Python's fromisoformat and DuckDB's cast each take others of
# their own ('2026-W01-1', 'epoch', 'infinity', zone names), and would disagree on them
ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?)?"
)


def parse_recorded_at(text: str | None) -> datetime | None:
    """A naive UTC datetime; ART's naive local timestamps are taken as this machine's local time.
    Another shape than ISO_TIME's, or a time past year 1 or 9999 in UTC, reads as None."""
    if not text or not ISO_TIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
