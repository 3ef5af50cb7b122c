-- local/catalog_tables: what a reader checks in the attached catalog ($db: art_catalog) before
-- copying from it: its tables each with its whole definition (DuckDB's `sql` text shows every
-- column's type, collation, default or generated expression and every constraint: a default
-- or generated column would run its expression on every read, a collation would merge two
-- runs' names), views, types, sequences, indexes and schemas. (duckdb_columns() cost ~5 ms on
-- a fresh attach.) The same rows of $schema, a database holding just our fresh schema, are
-- what is expected: one statement lists both (each call costs ~2 ms on a first open).
-- params: $db, $schema
SELECT database_name AS db, 'table' AS kind, table_name || ': ' || sql AS detail FROM duckdb_tables()
WHERE database_name IN ($db, $schema)
UNION ALL
SELECT database_name, 'view', view_name FROM duckdb_views() WHERE database_name IN ($db, $schema) AND NOT internal
UNION ALL
SELECT database_name, 'type', type_name FROM duckdb_types() WHERE database_name IN ($db, $schema) AND NOT internal
UNION ALL
SELECT database_name, 'sequence', sequence_name FROM duckdb_sequences() WHERE database_name IN ($db, $schema)
UNION ALL
SELECT database_name, 'index', index_name FROM duckdb_indexes() WHERE database_name IN ($db, $schema)
UNION ALL
SELECT database_name, 'schema', schema_name FROM duckdb_schemas()
WHERE database_name IN ($db, $schema) AND NOT internal AND schema_name <> 'main'
