"""Reading a catalog file as data: its expected tables by name and column, nothing it defines.

A catalog file could be crafted (a macro named `avg`, a view named `trajectory_files`). It is
an index rebuilt from the files, so anything in it that `sql/local/schema_*.sql` did not
create marks it as damaged: readers ignore it, writers move it aside and rebuild it.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import duckdb

from art.errors import CatalogBusyError
from art.store.sql import run_all_checked as run_all
from art.store.sql import run_checked as run

SCHEMA_QUERIES = (
    "local/schema_models",
    "local/schema_sources",
    "local/schema_trajectory_files",
    "local/schema_history",
)
COPY_QUERIES = (
    "local/copy_models",
    "local/copy_sources",
    "local/copy_trajectory_files",
    "local/copy_history",
)
ALIAS = "art_catalog"


class CatalogDamagedWarning(UserWarning):
    """The catalog file could not be used as it is; it is ignored or rebuilt from the files."""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    run_all(con, SCHEMA_QUERIES)


def create_reader_schema(con: duckdb.DuckDBPyConnection) -> None:
    """A reader's in-memory tables and its `taken_models` (catalog_snapshot), in one call."""
    run_all(con, (*SCHEMA_QUERIES, "local/schema_taken_models"))


@cache
def _expected() -> frozenset[tuple[str, str, str, str]]:
    con = duckdb.connect(":memory:")
    try:
        create_schema(con)
        return frozenset(run(con, "local/catalog_objects", db="memory").fetchall())
    finally:
        con.close()


def unexpected_objects(con: duckdb.DuckDBPyConnection, db: str, *, macros: bool = True) -> list[str]:
    """What database `db` holds beyond our schema (a table may be missing: it is created)."""
    expected = _expected()
    found = set(run(con, "local/catalog_objects", db=db).fetchall())
    if macros:
        found.update(run(con, "local/catalog_macros", db=db).fetchall())
    odd = {f"{kind} {schema}.{name} {detail}".strip() for kind, schema, name, detail in found - expected}
    tables = {name for kind, _, name, _ in found if kind == "table"}
    for kind, schema, name, detail in expected - found:
        if name in tables:  # a table we know, missing a column or constraint
            odd.add(f"missing {kind} {schema}.{name} {detail}".strip())
    return sorted(odd)


def literal(path: Path) -> str:
    """ATTACH takes no parameters; a path becomes a standard SQL string (quotes doubled)."""
    text = str(path)
    if "\x00" in text:
        raise ValueError(f"catalog path contains NUL: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def catalog_check(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the attached catalog (art_catalog) holds beyond, or lacks of, the tables and
    columns a reader uses (macros aside: a reader never resolves names in it), against `con`'s
    own database, which holds our fresh schema and nothing else (read_into's caller made it)."""
    rows = run(con, "local/catalog_tables", db=ALIAS, schema="memory").fetchall()
    found = {(kind, detail) for db, kind, detail in rows if db == ALIAS}
    expected = {(kind, detail) for db, kind, detail in rows if db != ALIAS}
    extra = sorted(" ".join(r) for r in found - expected)
    return extra + sorted("missing " + " ".join(r) for r in expected - found)


def why_not_used(odd: list[str]) -> str:
    """Why a catalog that `catalog_check` found odd is not used: what it holds that this library
    did not create, or else what it lacks (an empty file: a writer stopped before making its
    tables)."""
    extra = [o for o in odd if not o.startswith("missing ")]
    if extra:
        return "it holds objects this library did not create: " + "; ".join(extra[:5])
    lacks = "; ".join(o.removeprefix("missing ") for o in odd[:5])
    return "it lacks tables this library creates (a writer stopped before making them, say): " + lacks


def copy_into(con: duckdb.DuckDBPyConnection, path: Path, timeout: float) -> str | None:
    """Copy the catalog file's rows into `con`'s tables without writing anything.

    Returns None when copied (or when there is no file), else why the file was not used.
    Waits up to `timeout` seconds while a writer holds the file open.
    """
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        if not path.exists():
            return None
        try:
            con.execute(f"ATTACH {literal(path)} AS {ALIAS} (READ_ONLY)")
            break
        except duckdb.Error as e:
            text = str(e)
            if "lock" not in text.lower() or "Conflicting" not in text:
                return f"could not be opened ({text.splitlines()[0]})"
            if time.monotonic() > deadline:
                raise CatalogBusyError(f"{path} stayed open by a writer for {timeout:g} s: {text}") from e
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
    began = False
    try:
        odd = catalog_check(con)
        if odd:
            return why_not_used(odd)
        con.begin()
        began = True
        for name in COPY_QUERIES:
            run(con, name)
        con.commit()
        return None
    except Exception as e:
        if began:
            con.rollback()
        return f"could not be read ({str(e).splitlines()[0]})"
    finally:
        run(con, "local/detach_catalog")
