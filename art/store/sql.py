"""Named SQL queries from `sql/`, their parameters checked when called.

A query's name is its path under `sql/` without `.sql`: `best_step` (shared by both kinds of
store), `local/insert_files` (the local catalog), `lake/attach` (DuckLake). A file's header
declares its `$parameters` (`-- params: $a, $b` or `none`); a call is checked against that
list. The tests parse every file with DuckDB and hold its header to what the parser finds
(`parse_query`), so a process need not parse them: a first open loads ~40 files, and
DuckDB's parser plus a listing of the folder cost ~10 ms of it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from art.errors import CatalogError, QueryParameterError
from art.store.no_pandas import no_pandas

_HEADER_PARAMS = re.compile(r"^--\s*params:\s*(.*)$", re.MULTILINE)
_NAME = re.compile(r"(?:[a-z0-9_]+/)?[a-z0-9_]+")  # `best_step`, `local/upsert_file`


@cache
def sql_dir() -> Path:
    """The packaged copy inside a wheel (`art/_sql`), else the source tree's top-level `sql/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_sql"
    if packaged.is_dir():
        return packaged
    return here.parent / "sql"


class Query(NamedTuple):
    """One statement from `sql/NAME.sql`: `params`, the `$parameters` a call must give (its
    header's at run time); `declared`, the header's (parse_query sets `params` from DuckDB's
    parser, so the tests can hold the two equal)."""

    name: str
    text: str
    params: frozenset[str]
    declared: frozenset[str]

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        given = set(values)
        missing = self.params - given
        extra = given - self.params
        if missing or extra:
            raise QueryParameterError(
                f"query {self.name!r} takes ${', $'.join(sorted(self.params)) or ' nothing'}; "
                f"missing {sorted(missing)}, extra {sorted(extra)}"
            )
        return values


def declared_params(text: str) -> frozenset[str]:
    """The `$parameters` a file's header names (`-- params: none` for none)."""
    header = _HEADER_PARAMS.search(text)
    if header is None or header.group(1).strip().lower() == "none":
        return frozenset()
    return frozenset(p.strip().lstrip("$") for p in header.group(1).split(",") if p.strip())


def parse_query(name: str, text: str) -> Query:
    """The query as DuckDB's parser reads it (the tests' check of every file's header)."""
    statements = duckdb.extract_statements(text)
    if len(statements) != 1:
        raise QueryParameterError(f"sql/{name}.sql must hold exactly one statement, found {len(statements)}")
    return Query(name, text, frozenset(statements[0].named_parameters), declared_params(text))


@cache
def query(name: str) -> Query:
    """Load `sql/NAME.sql` once per process; only names of files that ship with the package."""
    try:
        if not _NAME.fullmatch(name):
            raise FileNotFoundError(name)
        text = (sql_dir() / f"{name}.sql").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryParameterError(f"no query named {name!r} in {sql_dir()}") from None
    params = declared_params(text)
    return Query(name, text, params, params)


def all_query_names() -> list[str]:
    root = sql_dir()
    return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.sql"))


def run(con: duckdb.DuckDBPyConnection, name: str, **values: Any) -> duckdb.DuckDBPyConnection:
    """Execute a named query with bound values on `con` (a cursor) and return it for fetching."""
    q = query(name)
    params = q.bind(values)
    if not params:
        return con.execute(q.text)
    with no_pandas():
        return con.execute(q.text, params)


def run_all_checked(
    con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | list[str]
) -> duckdb.DuckDBPyConnection:
    """Execute named queries that take no values, in order, in one call: DuckDB's fixed cost
    per call (~60 us) counts when an open runs a score of them. Returns `con`, to fetch the
    last one's rows. A failure names them all."""
    texts = []
    for name in names:
        q = query(name)
        q.bind({})  # refuses a query that takes values
        texts.append(q.text)
    try:
        return con.execute("\n;\n".join(texts))  # `;` on a line of its own: never inside a comment
    except duckdb.Error as e:
        raise _catalog_error(f"catalog queries {', '.join(names)}", e) from e


def _catalog_error(what: str, e: duckdb.Error) -> CatalogError:
    return CatalogError(
        f"{what} failed: {e}. The catalog is an index of the files: "
        "`art rebuild` recreates it."
    )


def run_checked(con: duckdb.DuckDBPyConnection, name: str, **values: Any) -> duckdb.DuckDBPyConnection:
    """`run`, with DuckDB's error turned into ours, naming the query and the next step."""
    try:
        return run(con, name, **values)
    except duckdb.Error as e:
        raise _catalog_error(f"catalog query {name!r}", e) from e
