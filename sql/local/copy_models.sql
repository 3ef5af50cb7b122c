-- local/copy_models: a reader's copy of the attached catalog's models rows (explicit columns:
-- the file is data, nothing in it is run).
-- params: none
INSERT INTO models (project, model, trainable, base_model, model_json)
SELECT project, model, trainable, base_model, model_json FROM art_catalog.main.models
