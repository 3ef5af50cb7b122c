-- local/catalog_objects: every user object of database $db as (kind, schema, name, detail):
-- tables and their columns, constraints, views, types, sequences and indexes (macros:
-- local/catalog_macros, which costs ~45 ms as it lists every built-in function too).
-- A catalog file is data: anything here that sql/local/schema_*.sql did not create
-- marks it as damaged (compared with the same query over a fresh schema).
-- params: $db
SELECT 'column' AS kind, schema_name AS schema, table_name AS name,
       column_name || ' ' || data_type || ' ' || coalesce(column_default, '') || ' ' || is_nullable::VARCHAR AS detail
FROM duckdb_columns() WHERE database_name = $db AND NOT internal
UNION ALL
SELECT 'table', schema_name, table_name, '' FROM duckdb_tables() WHERE database_name = $db
UNION ALL
SELECT 'constraint', schema_name, table_name, constraint_type || ' ' || coalesce(expression, '') || ' '
       || array_to_string(constraint_column_names, ',')
FROM duckdb_constraints() WHERE database_name = $db
UNION ALL
SELECT 'view', schema_name, view_name, '' FROM duckdb_views() WHERE database_name = $db AND NOT internal
UNION ALL
SELECT 'type', schema_name, type_name, '' FROM duckdb_types() WHERE database_name = $db AND NOT internal
UNION ALL
SELECT 'sequence', schema_name, sequence_name, '' FROM duckdb_sequences() WHERE database_name = $db
UNION ALL
SELECT 'index', schema_name, index_name, '' FROM duckdb_indexes() WHERE database_name = $db
UNION ALL
SELECT 'schema', schema_name, schema_name, '' FROM duckdb_schemas()
WHERE database_name = $db AND NOT internal AND schema_name <> 'main'
