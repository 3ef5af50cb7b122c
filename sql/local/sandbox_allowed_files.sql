-- local/sandbox_allowed_files: the single files a user's connection may open, as DuckDB holds
-- them (links resolved when set), and the files of the attached databases (the catalog's
-- private copy), which DuckDB adds to them.
-- params: none
SELECT current_setting('allowed_paths') AS files,
    (SELECT coalesce(list(path), []) FROM duckdb_databases() WHERE path IS NOT NULL) AS attached
