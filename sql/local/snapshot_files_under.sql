-- local/snapshot_files_under: the trajectory files recorded in one split folder, as the
-- attached catalog snapshot holds them (a reader that has not taken the model's rows into
-- memory): (path, bytes, mtime_ns). $prefix as in local/files_under.
-- params: $prefix
SELECT path, bytes, mtime_ns FROM art_catalog.main.trajectory_files WHERE starts_with(path, $prefix)
