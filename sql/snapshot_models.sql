-- snapshot_models: every row of the models table, for the in-memory copy that art.connect() serves.
-- params: none
SELECT * FROM models
