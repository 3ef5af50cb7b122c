"""Which user statements `art sql` runs: an allow-list of kinds that cannot write a file.

DuckDB's sandbox (art/store/local_views.py) refuses every file but the store's own trajectory
files, and DuckDB 1.5.5 lets a statement write those as well as read them (COPY, EXPORT,
ATTACH, EXPLAIN ANALYZE of any of them, or a PREPAREd one). So before a statement reaches the
sandbox it must be one of the kinds below, checked on DuckDB's own parse and tokens:

- a query: SELECT, FROM-first, VALUES, WITH, PIVOT/UNPIVOT, SUMMARIZE, DESCRIBE, SHOW, and the
  PRAGMAs DuckDB turns into a query;
- EXPLAIN [ANALYZE] of a query;
- CREATE [OR REPLACE] [TEMP] VIEW / MACRO / FUNCTION / TABLE / TYPE / SEQUENCE: they land in the
  connection's in-memory database (nothing is attached but memory and temp);
- SET VARIABLE / RESET VARIABLE.

Everything else (COPY, EXPORT, ATTACH, DETACH, LOAD, INSTALL, PREPARE, EXECUTE, CALL, PRAGMA,
SECRET, DROP, INSERT, UPDATE, ...) is refused. A few table functions change the connection
rather than read (logging, profiling), or a lake (DuckLake's maintenance, PostgreSQL's
pass-through SQL), or run SQL text built at run time (`query()`, `query_table()`, which would
hide any of the others in a string); they are refused by name in any statement.
"""

from __future__ import annotations

import re
from itertools import pairwise

import duckdb

from art.errors import ReadOnlyQueryError

ST = duckdb.StatementType
CREATABLE = {"VIEW", "MACRO", "FUNCTION", "TABLE", "TYPE", "SEQUENCE"}
CREATE_PREFIX = {"OR", "REPLACE", "TEMP", "TEMPORARY"}
SIDE_EFFECT_FUNCTIONS = {
    "enable_logging",
    "disable_logging",
    "truncate_duckdb_logs",
    "enable_profiling",
    "disable_profiling",
    "checkpoint",
    "force_checkpoint",
    # they run SQL text built when the query runs, which no check of the statement can see
    "query",
    "query_table",
    "json_execute_serialized_sql",
    # a lake's: they change the lake or run SQL on its catalog database (the reader's lake is
    # attached read-only as well; refused here by name, with an answer that says why)
    "ducklake_add_data_files",
    "ducklake_cleanup_old_files",
    "ducklake_commit",
    "ducklake_delete_orphaned_files",
    "ducklake_expire_snapshots",
    "ducklake_flush_inlined_data",
    "ducklake_merge_adjacent_files",
    "ducklake_rewrite_data_files",
    "ducklake_set_commit_message",
    "ducklake_set_option",
    "postgres_attach",
    "postgres_configure_pool",
    "postgres_execute",
    "postgres_query",
    "postgres_scan",
    "postgres_scan_pushdown",
}


def _words(text: str) -> list[str]:
    """The statement's tokens as text, comments dropped (DuckDB's tokenizer gives where each
    token starts; the text up to the next one may hold whitespace and comments)."""
    tokens = duckdb.tokenize(text)
    out = []
    for i, (pos, kind) in enumerate(tokens):
        end = tokens[i + 1][0] if i + 1 < len(tokens) else len(text)
        raw = text[pos:end]
        if kind == duckdb.token_type.string_const:
            out.append(raw.strip())
        elif raw.startswith('"'):  # a quoted identifier ends at its closing quote ("" escapes one)
            m = _QUOTED.match(raw)
            out.append(m.group(0) if m else raw.strip())
        else:
            out.append(_BARE.match(raw).group(0))
    return out


_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_BARE = re.compile(r"(?:(?!/\*|--)\S)*")


def _parse(text: str) -> list[duckdb.Statement]:
    try:
        return duckdb.extract_statements(text)
    except duckdb.Error as e:
        raise ReadOnlyQueryError(f"refused: could not parse the statement: {e}") from e


def _explained(words: list[str], text: str) -> str:
    """The statement an EXPLAIN explains: after EXPLAIN, ANALYZE and an (options) group."""
    tokens = duckdb.tokenize(text)
    i = 1  # past EXPLAIN
    if i < len(words) and words[i].upper() in {"ANALYZE", "ANALYSE"}:
        i += 1
    if i < len(words) and words[i].startswith("("):
        depth = 0
        while i < len(words):
            depth += words[i].count("(") - words[i].count(")")
            i += 1
            if depth <= 0:
                break
    return text[tokens[i][0] :] if i < len(tokens) else ""


def _check_one(s: duckdb.Statement) -> None:
    text = s.query
    words = _words(text) if text.strip() else []
    called = {w.strip('"').lower() for w, after in pairwise(words) if after.startswith("(")}
    bad = called & SIDE_EFFECT_FUNCTIONS
    if bad:
        raise ReadOnlyQueryError(
            f"{sorted(bad)[0]}() changes the store or the connection, or runs SQL built at run time; refused"
        )
    if s.type == ST.SELECT:
        return
    if s.type == ST.EXPLAIN:
        inner = _parse(_explained(words, text))
        if len(inner) != 1 or inner[0].type != ST.SELECT:
            raise ReadOnlyQueryError("EXPLAIN of anything but a query is refused (EXPLAIN ANALYZE runs it)")
        _check_one(inner[0])
        return
    if s.type == ST.CREATE:
        if not words:  # the enum type DuckDB generates for a PIVOT (no text of its own)
            return
        rest = [w.upper() for w in words[1:]]
        while rest and rest[0] in CREATE_PREFIX:
            rest.pop(0)
        if rest and rest[0] in CREATABLE:
            return
        raise ReadOnlyQueryError(
            "this CREATE is refused: only [TEMP] VIEW, MACRO, TABLE, TYPE or SEQUENCE (in memory)"
        )
    if s.type == ST.SET and len(words) >= 2 and [w.upper() for w in words[:2]] in (
        ["SET", "VARIABLE"],
        ["RESET", "VARIABLE"],
    ):
        return
    raise ReadOnlyQueryError(
        f"{s.type.name} statements are refused here: queries, EXPLAIN of a query, temporary "
        f"views/macros/tables and SET VARIABLE are allowed"
    )


def check_allowed(statement: str) -> None:
    """Raise ReadOnlyQueryError unless every statement in `statement` is of an allowed kind."""
    statements = _parse(statement)
    if not statements:
        raise ReadOnlyQueryError("refused: no statement given")
    for s in statements:
        _check_one(s)
