-- local/upsert_model: record a model folder and what its model.json says.
-- params: $project, $model, $trainable, $base_model, $model_json
INSERT OR REPLACE INTO models VALUES ($project, $model, $trainable, $base_model, $model_json)
