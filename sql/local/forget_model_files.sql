-- local/forget_model_files: drop the trajectory-file rows of a model whose folder is gone.
-- params: $project, $model
DELETE FROM trajectory_files WHERE project = $project AND model = $model
