-- local/schema_taken_models: the models a reader's catch-up changed: their trajectory_files and
-- history rows were copied from the catalog snapshot into memory (local/take_model_files,
-- local/take_model_history) and the views read them from there; the other models' rows are
-- read from the snapshot in place.
-- params: none
CREATE TEMP TABLE taken_models (project VARCHAR NOT NULL, model VARCHAR NOT NULL)
