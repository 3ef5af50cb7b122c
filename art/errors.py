"""The errors this library raises: small named classes whose docstring is their meaning."""

from __future__ import annotations


class ArtError(Exception):
    """Base class of every error raised on purpose by this library."""


class InvalidNameError(ArtError, ValueError):
    """A project, model or split name that cannot be used as one path component."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"invalid {field} {value!r}: {reason}")


class InvalidValueError(ArtError, ValueError):
    """A value that this library cannot accept; the message names the field and the value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        text = repr(value)
        if len(text) > 80:
            text = text[:77] + "..."
        super().__init__(f"invalid {field} {text}: {reason}")


class InvalidTrajectoryError(InvalidValueError):
    """A trajectory, group or metric value that cannot be stored faithfully."""


class InvalidArgumentError(InvalidValueError):
    """An argument outside what the function accepts (a window < 1, an unknown mode, ...)."""


class UnsupportedFormatError(ArtError, ValueError):
    """A trajectory parquet file whose format marker is unknown or damaged."""


class MetricNotFoundError(ArtError, ValueError):
    """A metric asked for by name that the history does not hold; nothing was deleted."""

    def __init__(self, metric: str, available: list[str]) -> None:
        self.metric = metric
        self.available = available
        shown = ", ".join(available[:30]) if available else "none: nothing has been logged yet"
        more = f" (and {len(available) - 30} more)" if len(available) > 30 else ""
        super().__init__(
            f"metric {metric!r} was never logged for this model; metrics that exist: {shown}{more}"
        )


class NotRegisteredError(ArtError, RuntimeError):
    """A TrainableModel used for training or checkpoints before `model.register(backend)`."""


class NoTrainerError(ArtError, RuntimeError):
    """A LocalBackend asked to train without a trainer plugged in."""


class CatalogError(ArtError, RuntimeError):
    """DuckDB refused a catalog query; the message names the query and what to do next."""


class CatalogBusyError(CatalogError):
    """The catalog lock could not be taken within the timeout."""


class ReadOnlyQueryError(ArtError, ValueError):
    """A statement given to a read-only surface (`art sql`) that would change something."""


class QueryParameterError(ArtError, ValueError):
    """A named SQL query called with missing or extra parameters."""


class OutsideStoreError(InvalidNameError):
    """A path in the store that is a symbolic link (or not a folder where one belongs): writing
    through it could reach outside base_path, so nothing is written."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__("path", str(path), f"{reason}; refused, as it could lead outside the store")


class StoreWriteError(ArtError, OSError):
    """A file of the store could not be written (disk full, no permission, ...); nothing of the
    failed write is left in it. The message names the file."""
