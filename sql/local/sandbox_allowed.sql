-- local/sandbox_allowed: the folders a user's connection may open, as DuckDB holds them: it
-- resolves their links when they are set (local_views checks they are the store's own).
-- params: none
SELECT current_setting('allowed_directories') AS folders
