"""Clearer words for DuckDB errors a user's own SQL meets through our macros.

`trajectories_of()` hands its arguments to `read_parquet` (it picks the files when the query is
bound), so they must be constants or bound parameters: a column of another table (a LATERAL
call) or a subquery makes DuckDB refuse `read_parquet`, a function the user never wrote.
"""

from __future__ import annotations

import re

import duckdb

from art.errors import InvalidArgumentError

_NOT_CONSTANT = ("lateral join column parameters", "cannot contain subqueries")
# a bare column as an argument: the macro's filter does not see the row's own columns by these names
_ROW_COLUMN = re.compile(r'Referenced column "(project|model|split|step)" not found')
_BAD_ARGUMENTS = "trajectories_of() does not support the supplied arguments"


def explained(error: duckdb.Error, statement: str) -> Exception:
    """`error`, or an InvalidArgumentError that says what to write instead."""
    text = str(error)
    column = _ROW_COLUMN.search(text)
    bare = column is not None and column.group(1) in _argument_words(statement)
    if "trajectories_of" in statement and (any(s in text for s in _NOT_CONSTANT) or bare):
        return InvalidArgumentError(
            "trajectories_of() arguments in",
            " ".join(statement.split()),
            "they must be constants or bound parameters (it picks its files when the query is "
            "bound; DuckDB said: " + text.splitlines()[0] + "); for many runs or a computed step, "
            "filter the trajectories view instead (WHERE project = ... AND model = ... AND step = ...)",
        )
    if _BAD_ARGUMENTS in text:  # DuckDB lists the macro's own parameter names (p, m, s)
        return InvalidArgumentError(
            "trajectories_of() arguments in",
            " ".join(statement.split()),
            "it takes (project, model[, split][, at_step := N]): project, model and split by "
            "position, the step by name, e.g. trajectories_of('proj', 'run-1', 'val', at_step := 3)",
        )
    return error


def _argument_words(statement: str) -> set[str]:
    """The identifiers written inside trajectories_of(...) calls (lower case, unquoted): a
    missing `model` elsewhere in the query is the query's own mistake, not the call's."""
    tokens = duckdb.tokenize(statement)
    ends = [start for start, _ in tokens[1:]] + [len(statement)]
    found: set[str] = set()
    depth = 0  # inside a call's parentheses
    after_name = False
    for (start, kind), end in zip(tokens, ends, strict=True):
        word = statement[start:end].strip()
        if depth:
            depth += {"(": 1, ")": -1}.get(word, 0)
            if kind == duckdb.token_type.identifier:
                found.add(word.strip('"').lower())
        elif after_name and word == "(":
            depth = 1
        after_name = kind == duckdb.token_type.identifier and word.lower() == "trajectories_of"
    return found
