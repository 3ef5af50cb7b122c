-- local/files_of_model: the trajectory files the catalog knows for one model: (path, bytes, mtime_ns).
-- params: $project, $model
SELECT path, bytes, mtime_ns FROM trajectory_files WHERE project = $project AND model = $model
