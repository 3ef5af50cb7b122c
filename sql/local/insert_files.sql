-- local/insert_files: register (or re-register) many trajectory files in one statement, from a
-- JSON list of objects with trajectory_files' columns (one parameter instead of one
-- parameterized statement per file).
-- params: $files
INSERT OR REPLACE INTO trajectory_files BY NAME
SELECT unnest(
    from_json(
        $files,
        '[{"path": "VARCHAR", "project": "VARCHAR", "model": "VARCHAR", "split": "VARCHAR",
           "step": "BIGINT", "rows": "BIGINT", "groups": "BIGINT", "trajectories": "BIGINT",
           "exceptions": "BIGINT", "bytes": "BIGINT", "mtime_ns": "BIGINT",
           "format_version": "INTEGER", "error": "VARCHAR"}]'
    ),
    recursive := true
)
