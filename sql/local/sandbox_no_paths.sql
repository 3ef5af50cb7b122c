-- local/sandbox_no_paths: no single file outside the allowed folders is open to a user's connection.
-- params: none
SET allowed_paths = []
