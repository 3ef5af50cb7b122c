-- local/sandbox_allowed_paths: a user's connection may open only the files in art_sandbox_paths.
-- params: none
SET allowed_paths = getvariable('art_sandbox_paths')
