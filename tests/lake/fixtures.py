"""Helpers for the DuckLake tests: starting the servers, and a fresh lake (its own catalog
database and data path) wherever a test needs one.

A lake test whose servers cannot start FAILS: skipping would hide that the lake went untested.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from art.store.lake import DuckLakeStore

from ..servers import Lake, ServerUnavailable, lake_store, local_servers

_fresh = itertools.count()


def start_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lake]:
    try:
        with local_servers(tmp_path_factory.mktemp("servers")) as lake:
            yield lake
    except ServerUnavailable as e:
        pytest.fail(f"the DuckLake test servers cannot start here: {e}")


def fresh_lake(servers: Lake, **options: object) -> DuckLakeStore:
    """A lake nobody has used yet: a new catalog database and its own data path."""
    name = f"fresh{next(_fresh)}"
    servers.pg.execute(f"CREATE DATABASE {name}")  # a name of ours, not user input
    return lake_store(servers.pg, servers.s3, servers.workdir, prefix=name, dbname=name, **options)


def referenced_files(store: DuckLakeStore) -> set[str]:
    """Every data file the lake's current snapshot refers to, as S3 keys."""
    import art

    con = art.connect(store)
    paths = {
        r[0]
        for table in ("trajectories", "history")
        for r in con.execute("SELECT data_file FROM ducklake_list_files('lake', $t)", {"t": table}).fetchall()
    }
    con.close()
    bucket = store.data_path.split("/")[2]
    return {p.removeprefix(f"s3://{bucket}/") for p in paths}
