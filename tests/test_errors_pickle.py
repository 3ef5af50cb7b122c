"""An error raised in a worker process reaches the parent: every error of art.errors is
pickled and rebuilt whatever its `__init__` takes (MissingExtraError takes three arguments
since it became one class, and failed to unpickle: TypeError in the parent)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from art.errors import InvalidArgumentError, MissingExtraError, StoreNotFoundError


def fail(kind: str) -> None:
    if kind == "extra":
        raise MissingExtraError("load_trajectories", "polars", "notebook")
    if kind == "argument":
        raise InvalidArgumentError("batch_size", 0, "must be a whole number >= 1")
    raise StoreNotFoundError("/no/such/store")


@pytest.mark.parametrize(
    ("kind", "cls", "text"),
    [
        ("extra", MissingExtraError, r"pip install 'art-duckdb\[notebook\]'"),
        ("argument", InvalidArgumentError, "batch_size"),
        ("store", StoreNotFoundError, "/no/such/store"),
    ],
)
def test_an_error_raised_in_a_worker_process_reaches_the_parent(kind: str, cls: type, text: str) -> None:
    with ProcessPoolExecutor(1) as pool, pytest.raises(cls, match=text):
        pool.submit(fail, kind).result()
