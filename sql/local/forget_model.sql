-- local/forget_model: drop every catalog row of a model whose folder is gone: its models row.
-- params: $project, $model
DELETE FROM models WHERE project = $project AND model = $model
