-- lake/model_state_delete: forget a model's running totals (before writing the new ones).
-- params: $project, $model
DELETE FROM lake.model_state WHERE project = $project AND model = $model
