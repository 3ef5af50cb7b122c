-- local/take_model: record that a model's `rows` ('files', 'history' or 'models') now live in memory
-- (see local/schema_taken_models).
-- params: $project, $model, $rows
INSERT INTO taken_models VALUES ($project, $model, $rows)
