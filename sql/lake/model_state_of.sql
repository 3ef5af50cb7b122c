-- lake/model_state_of: a model's running totals (JSON text), if it has any.
-- params: $project, $model
SELECT state FROM lake.model_state WHERE project = $project AND model = $model
