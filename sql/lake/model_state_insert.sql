-- lake/model_state_insert: a model's running totals after a log() call (JSON text).
-- params: $project, $model, $state
INSERT INTO lake.model_state VALUES ($project, $model, $state)
