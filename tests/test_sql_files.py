"""Every sql/*.sql file is one statement whose header declares exactly the $parameters it uses."""

from __future__ import annotations

import duckdb
import pytest

from art.errors import CatalogError, QueryParameterError
from art.store import sql

NAMES = sql.all_query_names()


def test_sql_folder_is_found_and_not_empty() -> None:
    assert "step_metrics" in NAMES and "best_step" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sql_file_is_one_statement_with_declared_params(name: str) -> None:
    """A process trusts the header's list (sql.query does not parse): DuckDB's parser must
    find exactly the parameters it declares."""
    q = sql.query(name)
    assert q.text.lstrip().startswith(f"-- {name}:"), "header must start with the query's name"
    assert "-- params:" in q.text
    parsed = sql.parse_query(name, q.text)
    assert parsed.params == parsed.declared == q.params


def test_a_name_that_is_not_a_shipped_file_is_refused() -> None:
    for name in ("nope", "../pyproject", "local/../best_step", "/etc/passwd", "Best_Step", ""):
        with pytest.raises(QueryParameterError, match="no query named"):
            sql.query(name)


def test_a_call_with_a_missing_or_extra_parameter_is_refused() -> None:
    q = sql.query("best_step")
    with pytest.raises(QueryParameterError, match="best_step"):
        q.bind({"project": "p"})
    with pytest.raises(QueryParameterError, match="extra"):
        q.bind({**dict.fromkeys(q.params, 1), "oops": 2})


def test_two_statements_in_one_file_are_refused() -> None:
    with pytest.raises(QueryParameterError, match="exactly one statement"):
        sql.parse_query("two", "SELECT 1; SELECT 2")


def test_queries_run_together_in_order_and_a_failure_names_them() -> None:
    """run_all_checked: the statements of several files in one call, each as it would run alone."""
    con = duckdb.connect()
    sql.run_all_checked(con, ["local/schema_models", "local/schema_sources"])
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"models", "sources"}
    sql.run_all_checked(con, ["local/schema_models", "local/clear_models"])  # in order
    with pytest.raises(QueryParameterError):  # a query that takes values is not run this way
        sql.run_all_checked(con, ["local/set_base_path"])
    with pytest.raises(CatalogError, match="local/detach_catalog"):  # nothing attached to detach
        sql.run_all_checked(con, ["local/detach_catalog", "local/schema_history"])
