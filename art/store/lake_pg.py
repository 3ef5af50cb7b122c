"""A plain libpq connection (psycopg) to the lake's catalog database, beside DuckDB's: for
PostgreSQL advisory locks, which DuckLake cannot take, and a cheap "is the lake created" check.

Queries come from `sql/lake/pg_*.sql` like every other query (`$name` parameters, bound by
psycopg, never formatted into the text).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from art.store import sql

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def _pg_text(name: str) -> str:
    """The query's text with `$name` turned into psycopg's `%(name)s` placeholders."""
    return _PARAM.sub(r"%(\1)s", sql.query(name).text.replace("%", "%%"))


def split_password(catalog: str, connect_timeout: int) -> tuple[str, str | None, dict[str, str]]:
    """(conninfo without the password, the password, all parameters) of a libpq string or URI,
    parsed by libpq itself; a connect_timeout is added unless one is given."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = {k: str(v) for k, v in conninfo_to_dict(catalog).items()}
    password = params.pop("password", None)
    params.setdefault("connect_timeout", str(connect_timeout))
    return make_conninfo(**params), password, params


class CatalogDatabase:
    """One psycopg connection, opened on first use and again after PostgreSQL went away."""

    def __init__(self, conninfo: str, password: str | None, connect_timeout: int | None = None) -> None:
        self.conninfo = conninfo
        self.password = password
        self.options = {} if connect_timeout is None else {"connect_timeout": connect_timeout}
        self.con: Any = None

    def run(self, name: str, **values: Any) -> list[tuple[Any, ...]]:
        import psycopg

        if self.con is None or self.con.closed:
            self.con = psycopg.connect(self.conninfo, password=self.password, autocommit=True, **self.options)
        try:
            cur = self.con.execute(_pg_text(name), sql.query(name).bind(values))
            return cur.fetchall() if cur.description else []
        except psycopg.OperationalError:
            self.close()
            raise

    @contextmanager
    def lock(self, key: str, deadline: float) -> Iterator[None]:
        """A session advisory lock on `key`, tried until `deadline` (time.monotonic())."""
        wait = 0.005
        while not self.run("lake/pg_try_lock", key=key)[0][0]:
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"the catalog lock {key!r} stayed taken")
            time.sleep(wait)
            wait = min(0.2, wait * 1.5)
        try:
            yield
        finally:
            if self.con is not None and not self.con.closed:
                self.run("lake/pg_unlock", key=key)

    def close(self) -> None:
        if self.con is not None:
            try:
                self.con.close()
            finally:
                self.con = None
