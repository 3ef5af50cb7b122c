-- local/files_under: the recorded trajectory files in one split folder: (path, bytes, mtime_ns).
-- $prefix is the folder's relative path with a trailing slash (compared as text, never a pattern).
-- params: $prefix
SELECT path, bytes, mtime_ns FROM trajectory_files WHERE starts_with(path, $prefix)
