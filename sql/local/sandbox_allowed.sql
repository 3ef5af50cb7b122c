-- local/sandbox_allowed: the folders and the files a user's connection may open, as DuckDB
-- holds them: it resolves their links when they are set (local_views checks they are the
-- store's own), and adds the files of attached databases (the catalog's private copy).
-- params: none
SELECT current_setting('allowed_directories') AS folders, current_setting('allowed_paths') AS files,
    (SELECT coalesce(list(path), []) FROM duckdb_databases() WHERE path IS NOT NULL) AS attached
