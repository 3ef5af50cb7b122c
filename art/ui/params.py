"""Checks for the dashboard's query parameters: names and small integers, never SQL or paths.

Each check raises an `ArtError` that names the field and the value; the server answers 400.
"""

from __future__ import annotations

import re

from art.errors import InvalidArgumentError
from art.store.paths import validate_name

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def name(field: str, value: str | None) -> str:
    """A project, model or split: one safe path component."""
    return validate_name(field, value)


def metric(value: str | None) -> str:
    """A metric name (it is bound as a value, so only its shape is checked)."""
    if not value or len(value) > 200 or _CONTROL.search(value):
        raise InvalidArgumentError("metric", value, "must be 1 to 200 printable characters")
    return value


def integer(field: str, value: str | None, low: int, high: int, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    try:
        number = int(value or "")
    except ValueError:
        raise InvalidArgumentError(field, value, "must be an integer") from None
    if not low <= number <= high:
        raise InvalidArgumentError(field, value, f"must be between {low} and {high}")
    return number


def mode(value: str | None) -> str:
    if value in (None, ""):
        return "max"
    if value not in ("max", "min"):
        raise InvalidArgumentError("mode", value, "must be 'max' or 'min'")
    return value


def run(value: str) -> tuple[str, str]:
    """`project/model` as the pages write it."""
    project, sep, model = value.partition("/")
    if not sep:
        raise InvalidArgumentError("run", value, "must be 'project/model'")
    return name("project", project), name("model", model)
