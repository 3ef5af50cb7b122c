"""A crafted catalog file is refused by a reader whichever way it is read (a private
snapshot, or the rows copied where memfd_create is missing), now that the expected shape is
the connection's own `memory` database."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import duckdb
import pytest

from art.store import catalog_snapshot
from art.store.catalog_file import CatalogDamagedWarning

from .test_catalog_snapshot import answers, catalogued_store, files_only_copy

CRAFTS = {
    "type": ["CREATE TYPE mood AS ENUM ('a', 'b')"],
    "sequence": ["CREATE SEQUENCE s1"],
    "index": ["CREATE INDEX i1 ON trajectory_files (model)"],
    "schema": ["CREATE SCHEMA other"],
    "table in another schema": ["CREATE SCHEMA other", "CREATE TABLE other.models (x INT)"],
    "extra table": ["CREATE TABLE extra (x INT)"],
    "view": ["CREATE VIEW v1 AS SELECT 1"],
    "default": ["ALTER TABLE models ALTER COLUMN model SET DEFAULT 'x'"],
    "changed column": ["ALTER TABLE history ADD COLUMN extra INTEGER"],
    "missing table": ["DROP TABLE history"],
}


@pytest.mark.parametrize("memfd", [True, False], ids=["snapshot", "copy_into"])
@pytest.mark.parametrize("craft", sorted(CRAFTS))
def test_a_crafted_catalog_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, craft: str, memfd: bool
) -> None:
    base = tmp_path / "s"
    asyncio.run(catalogued_store(base, ("a",)))
    expected = answers(files_only_copy(base, tmp_path / "files"))
    if not memfd:
        monkeypatch.delattr(os, "memfd_create")
    con = duckdb.connect(str(base / "catalog.duckdb"))
    for statement in CRAFTS[craft]:
        con.execute(statement)
    con.close()
    catalog_snapshot._copies.clear()
    with pytest.warns(CatalogDamagedWarning, match="is not used"):
        assert answers(base) == expected
