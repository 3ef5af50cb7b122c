"""Named SQL queries from `sql/`, their parameters checked when loaded and when called.

A query's name is its path under `sql/` without `.sql`: `best_step` (shared by both kinds of
store), `local/insert_files` (the local catalog), `lake/attach` (DuckLake).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from art.errors import CatalogError, QueryParameterError
from art.store.no_pandas import no_pandas

_HEADER_PARAMS = re.compile(r"^--\s*params:\s*(.*)$", re.MULTILINE)


def sql_dir() -> Path:
    """The packaged copy inside a wheel (`art/_sql`), else the source tree's top-level `sql/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_sql"
    if packaged.is_dir():
        return packaged
    return here.parent / "sql"


@dataclass(frozen=True)
class Query:
    """One statement from `sql/NAME.sql` and the `$parameters` DuckDB's parser found in it."""

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


def parse_query(name: str, text: str) -> Query:
    statements = duckdb.extract_statements(text)
    if len(statements) != 1:
        raise QueryParameterError(f"sql/{name}.sql must hold exactly one statement, found {len(statements)}")
    header = _HEADER_PARAMS.search(text)
    declared = frozenset(
        p.strip().lstrip("$") for p in (header.group(1).split(",") if header else []) if p.strip()
    )
    if header and header.group(1).strip().lower() == "none":
        declared = frozenset()
    return Query(name, text, frozenset(statements[0].named_parameters), declared)


@cache
def query(name: str) -> Query:
    """Load `sql/NAME.sql` once per process; only names of files that ship with the package."""
    if name not in _known_names():
        raise QueryParameterError(f"no query named {name!r} in {sql_dir()}")
    path = sql_dir() / f"{name}.sql"
    return parse_query(name, path.read_text(encoding="utf-8"))


@cache
def _known_names() -> frozenset[str]:
    return frozenset(all_query_names())


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


def run_all_checked(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | list[str]) -> None:
    """Execute named queries that take no values, in order, in one call: DuckDB's fixed cost
    per call (~60 us) counts when an open runs a score of them. A failure names them all."""
    texts = []
    for name in names:
        q = query(name)
        q.bind({})  # refuses a query that takes values
        texts.append(q.text)
    try:
        con.execute("\n;\n".join(texts))  # `;` on a line of its own: never inside a comment
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
