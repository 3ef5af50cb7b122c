-- local/copy_history: a reader's copy of the attached catalog's history rows (explicit columns).
-- params: none
INSERT INTO history (project, model, split, step, training_step, recorded_at, seq, metric, value)
SELECT project, model, split, step, training_step, recorded_at, seq, metric, value
FROM art_catalog.main.history
