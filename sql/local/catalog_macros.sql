-- local/catalog_macros: the macros and functions database $db defines (a catalog defines none).
-- Readers skip this check: they never resolve a name inside the attached file, only read
-- its tables by qualified name; writers, which open the file as their database, run it.
-- params: $db
SELECT 'function' AS kind, schema_name AS schema, function_name AS name, function_type AS detail
FROM duckdb_functions()
WHERE database_name = $db AND NOT internal
