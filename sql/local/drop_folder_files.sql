-- local/drop_folder_files: leave a folder's files out of the views (a split folder that is, or
-- lies under, a symlink: the sandbox does not open it, so the views must not list it).
-- params: $prefix
DELETE FROM file_index WHERE starts_with(abs_path, $prefix)
