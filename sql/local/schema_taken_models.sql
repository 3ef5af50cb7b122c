-- local/schema_taken_models: the models whose models row, trajectory_files or history rows
-- (`rows`: 'models', 'files', 'history') a reader's catch-up is changing: copied from the
-- catalog snapshot into memory first (local/take_model_models, local/take_model_files,
-- local/take_model_history), then read from there; every other
-- model's rows are read from the snapshot in place (plus, for history, the lines appended
-- since, which the catch-up adds in memory).
-- params: none
CREATE TEMP TABLE taken_models (project VARCHAR NOT NULL, model VARCHAR NOT NULL, rows VARCHAR NOT NULL)
