"""One PostgreSQL and one S3 server on 127.0.0.1 for every DuckLake test in this folder
(the outage tests stop and freeze them; the other tests' connections recover by themselves)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..servers import Lake
from .fixtures import start_servers


@pytest.fixture(scope="session")
def lake_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lake]:
    yield from start_servers(tmp_path_factory)
