-- local/take_model_models: copy one model's models row from the attached catalog snapshot into
-- memory, before the reader's catch-up replaces or forgets it (explicit columns).
-- params: $project, $model
INSERT INTO memory.main.models (project, model, trainable, base_model, model_json)
SELECT project, model, trainable, base_model, model_json
FROM art_catalog.main.models
WHERE project = $project AND model = $model
