-- local/take_model: record that a model's rows now live in memory (see local/schema_taken_models).
-- params: $project, $model
INSERT INTO taken_models VALUES ($project, $model)
