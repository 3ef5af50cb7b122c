"""Choosing a store, once, at the edge: a path means a LocalStore; a Store is used as given."""

from __future__ import annotations

import os
from pathlib import Path

from art.errors import InvalidArgumentError
from art.store.base import Store
from art.store.local import LocalStore

StoreLike = Store | str | os.PathLike[str]
"""A Store, or the base path of a local one."""


def as_store(path_or_store: StoreLike) -> Store:
    """A Store from a base path (str or Path) or a Store."""
    if isinstance(path_or_store, str | os.PathLike):
        return LocalStore(Path(path_or_store))
    if isinstance(path_or_store, Store):
        return path_or_store
    raise InvalidArgumentError(
        "store", path_or_store, "must be a base path (str or Path), a LocalStore or a DuckLakeStore"
    )


def store_from_env(base_path: str | os.PathLike[str], environ: dict[str, str] | None = None) -> Store:
    """The lake named by ART_LAKE_CATALOG / ART_LAKE_DATA_PATH, else the local store at base_path."""
    from art.store.lake import DuckLakeStore

    lake = DuckLakeStore.from_env(environ)
    return lake if lake is not None else LocalStore(Path(base_path))
