-- local/sandbox_no_directories: no directory is open to a user's connection (DuckDB lets it write there).
-- params: none
SET allowed_directories = []
