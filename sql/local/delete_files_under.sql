-- local/delete_files_under: forget every trajectory file of a split folder that is gone.
-- params: $prefix
DELETE FROM trajectory_files WHERE starts_with(path, $prefix)
