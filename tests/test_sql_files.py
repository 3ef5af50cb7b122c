"""Every sql/*.sql file is one statement whose header declares exactly the $parameters it uses."""

from __future__ import annotations

import pytest

from art.errors import QueryParameterError
from art.store import sql

NAMES = sql.all_query_names()


def test_sql_folder_is_found_and_not_empty() -> None:
    assert "step_metrics" in NAMES and "best_step" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sql_file_is_one_statement_with_declared_params(name: str) -> None:
    q = sql.query(name)
    assert q.text.lstrip().startswith(f"-- {name}:"), "header must start with the query's name"
    assert "-- params:" in q.text
    assert q.params == q.declared


def test_a_call_with_a_missing_or_extra_parameter_is_refused() -> None:
    q = sql.query("best_step")
    with pytest.raises(QueryParameterError, match="best_step"):
        q.bind({"project": "p"})
    with pytest.raises(QueryParameterError, match="extra"):
        q.bind({**dict.fromkeys(q.params, 1), "oops": 2})


def test_two_statements_in_one_file_are_refused() -> None:
    with pytest.raises(QueryParameterError, match="exactly one statement"):
        sql.parse_query("two", "SELECT 1; SELECT 2")
