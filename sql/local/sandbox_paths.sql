-- local/sandbox_paths: the only files a user's connection may open: every file the views read,
-- as its path and as its escaped pattern (set into art_sandbox_paths).
-- params: none
SET VARIABLE art_sandbox_paths = (
    SELECT coalesce(list(DISTINCT p), []) FROM (
        SELECT abs_path AS p FROM file_index UNION ALL SELECT pattern FROM file_index
    )
)
