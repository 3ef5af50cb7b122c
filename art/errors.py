"""The errors this library raises: small named classes whose docstring is their meaning."""

from __future__ import annotations

import os


class ArtError(Exception):
    """Base class of every error raised on purpose by this library."""

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as its message and attributes, whatever its `__init__` takes: an error
        raised in a worker process (multiprocessing, a process pool) reaches the parent
        (rebuilt through `__init__`, one taking several arguments failed to unpickle)."""
        return (_rebuilt, (type(self), self.args), self.__dict__)


def _rebuilt(cls: type[ArtError], args: tuple[object, ...]) -> ArtError:
    error = cls.__new__(cls)
    error.args = args
    return error


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


class MissingSettingError(InvalidValueError):
    """An environment variable a command needs is not set."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.value = None
        ValueError.__init__(self, f"{field} is not set: {reason}")


class InvalidTrajectoryError(InvalidValueError):
    """A trajectory, group or metric value that cannot be stored faithfully."""


class InvalidArgumentError(InvalidValueError):
    """An argument outside what the function accepts (a window < 1, an unknown mode, ...)."""


class UnsupportedFormatError(ArtError, ValueError):
    """A trajectory parquet file whose format marker is unknown or damaged."""


def close_matches(value: str, available: list[str], shown: int = 8) -> str:
    """The names in `available` closest to `value` first (difflib), then the rest, for a message."""
    import difflib

    if not available:
        return "none"
    close = difflib.get_close_matches(value, available, n=3, cutoff=0.5)
    rest = [a for a in available if a not in close]
    names = close + rest
    text = ", ".join(names[:shown]) + (f" (and {len(names) - shown} more)" if len(names) > shown else "")
    return f"did you mean {', '.join(close)}? (all {len(available)}: {text})" if close else text


class NotFoundError(ArtError, ValueError):
    """A project, model, split or metric asked for by name that the store does not hold."""

    def __init__(self, field: str, value: str, available: list[str], where: str = "") -> None:
        self.field = field
        self.value = value
        self.available = available
        super().__init__(self._message(where))

    def _message(self, where: str) -> str:
        return f"no {self.field} {self.value!r}{where}; {self.field}s that exist: " + close_matches(
            self.value, self.available
        )


class MetricNotFoundError(NotFoundError):
    """A metric asked for by name that the history does not hold; nothing was deleted."""

    def __init__(self, metric: str, available: list[str], run: str = "") -> None:
        self.metric = metric
        self.run = run  # "project/model": a command over several runs must say which one lacks it
        super().__init__("metric", metric, available)

    def _message(self, where: str) -> str:
        shown = (
            close_matches(self.value, self.available)
            if self.available
            else "none: nothing has been logged yet"
        )
        run = self.run or "this model"
        return f"metric {self.value!r} was never logged for {run}; metrics that exist: {shown}"


class StoreNotFoundError(ArtError, ValueError):
    """A base path to read from that does not exist: reading never creates a store."""

    def __init__(self, path: object) -> None:
        self.path = path
        what = "it is a file, not a folder" if os.path.exists(str(path)) else "the folder does not exist"
        if "~" in os.path.normpath(str(path)).split(os.sep):  # `--base-path=~/x`: no shell expanded it
            what += "; a ~ in a path is not your home folder here: write it out"
        super().__init__(f"no store at {str(path)!r}: {what} (check --base-path)")


class MissingExtraError(ArtError, ImportError):
    """An optional dependency that a feature needs is not installed; names the extra to install."""

    def __init__(self, feature: str, module: str, extra: str) -> None:
        super().__init__(f"{feature} needs {module}: pip install 'art-duckdb[{extra}]'")


class NotRegisteredError(ArtError, RuntimeError):
    """A TrainableModel used for training or checkpoints before `model.register(backend)`."""


class NoTrainerError(ArtError, RuntimeError):
    """A LocalBackend asked to train without a trainer plugged in."""


class CatalogError(ArtError, RuntimeError):
    """DuckDB refused a catalog query; the message names the query and what to do next."""


class CatalogBusyError(CatalogError):
    """The catalog lock could not be taken within the timeout."""


class CatalogPathError(CatalogError, ValueError):
    """The store's path is one DuckDB cannot keep a database file under."""

    def __init__(self, base_path: object) -> None:
        self.base_path = base_path
        super().__init__(
            f"base_path {str(base_path)!r} contains '?': DuckDB cannot keep the catalog under it "
            f"(it would write the catalog's log to the path cut at the '?'), so this store has no "
            f"catalog. Every step is still stored and readable; each open indexes the files "
            f"itself. Move the store to a path without '?' to get fast opens"
        )


class UnreadableStorePathError(ArtError, ValueError):
    """A store path DuckDB's file reader cannot spell (a backslash before `*`, `?` or `[`)."""

    def __init__(self, base_path: object) -> None:
        self.base_path = base_path
        super().__init__(
            f"base_path {str(base_path)!r} has a backslash before a glob character: DuckDB reads "
            f"it as an escape and no spelling of the path reaches the store's files, so it cannot "
            f"be queried. The files are intact; rename the folder (or open it by another path)"
        )


class ReadOnlyQueryError(ArtError, ValueError):
    """A statement given to a read-only surface (`art sql`) that would change something."""


class QueryParameterError(ArtError, ValueError):
    """A named SQL query called with missing or extra parameters."""


class OutsideStoreError(InvalidNameError):
    """A path in the store that is a symbolic link (or not a folder where one belongs): writing
    through it could reach outside base_path, so nothing is written."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__("path", str(path), f"{reason}; refused, as it could lead outside the store")


class PortInUseError(ArtError, OSError):
    """`art ui` could not listen on the address and port asked for."""


class StoreWriteError(ArtError, OSError):
    """A file of the store could not be written (disk full, no permission, ...); nothing of the
    failed write is left in it. The message names the file."""


class MissingMetricWarning(UserWarning):
    """delete_checkpoints() was asked for a metric never logged; it deleted nothing."""
