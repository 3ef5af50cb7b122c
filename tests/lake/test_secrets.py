"""Secrets never printed, checked without servers: repr of the store, our messages, and the
scrubbing of libpq strings in both forms (the server tests check DuckDB's own messages)."""

from __future__ import annotations

import pytest

from art.store.lake import DuckLakeStore, S3Settings
from art.store.lake_errors import Scrubber, scrub_conninfo

PASSWORDS = ["hunter2", "p@ss w'rd", "x;y=z"]


@pytest.mark.parametrize(
    "catalog",
    [
        "dbname=lake host=db user=art password=hunter2",
        "dbname=lake password = 'p@ss w\\'rd' host=db",
        "postgresql://art:x;y=z@db:5432/lake",
        "postgres://art:hunter2@db/lake?sslmode=require",
    ],
)
def test_no_password_in_repr_or_scrubbed_text(catalog: str) -> None:
    store = DuckLakeStore(catalog, "s3://b/p/", S3Settings(key_id="AKIA1", secret="s3-secret-value"))
    shown = [repr(store), str(store), scrub_conninfo(catalog), repr(store.s3)]
    for text in shown:
        assert not any(p in text for p in PASSWORDS) and "s3-secret-value" not in text, text
    assert "db" in repr(store) and "s3://b/p/" in repr(store)


def test_known_secrets_are_scrubbed_anywhere_in_a_message() -> None:
    scrub = Scrubber(["hunter2", "s3-secret-value", None, ""])
    text = scrub('failed at "host=db password=hunter2": signature s3-secret-value; pwd hunter2')
    assert "hunter2" not in text and "s3-secret-value" not in text and "host=db" in text


def test_bad_timeout_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="timeout"):
        DuckLakeStore("dbname=lake", "s3://b/p/", timeout=0)
    with pytest.raises(ValueError, match="ART_LAKE_TIMEOUT"):
        DuckLakeStore.from_env(
            {"ART_LAKE_CATALOG": "dbname=x", "ART_LAKE_DATA_PATH": "/d", "ART_LAKE_TIMEOUT": "soon"}
        )
    store = DuckLakeStore.from_env(
        {"ART_LAKE_CATALOG": "dbname=x", "ART_LAKE_DATA_PATH": "/d", "ART_LAKE_TIMEOUT": "7.5"}
    )
    assert store is not None and store.timeout == 7.5
