-- local/files_of_model: the recorded trajectory files of one model: (path).
-- params: $project, $model
SELECT path FROM trajectory_files WHERE project = $project AND model = $model
