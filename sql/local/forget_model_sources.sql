-- local/forget_model_sources: drop the ingest progress of a model whose folder is gone.
-- params: $project, $model
DELETE FROM sources WHERE project = $project AND model = $model
