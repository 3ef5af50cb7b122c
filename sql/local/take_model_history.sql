-- local/take_model_history: copy one model's history rows from the attached catalog snapshot
-- into memory, before the reader's catch-up changes them (explicit columns).
-- params: $project, $model
INSERT INTO memory.main.history (project, model, split, step, training_step, recorded_at, seq,
                                 metric, value)
SELECT project, model, split, step, training_step, recorded_at, seq, metric, value
FROM art_catalog.main.history
WHERE project = $project AND model = $model
