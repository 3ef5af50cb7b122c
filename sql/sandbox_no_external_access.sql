-- sandbox_no_external_access: DuckDB refuses every file, URL and extension not allowed above.
-- params: none
SET enable_external_access = false
