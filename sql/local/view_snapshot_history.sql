-- local/view_snapshot_history: history of a reader over a catalog snapshot: the rows the
-- catch-up added (lines appended since) and those of the models whose file it read again
-- (replaced, shrunk, gone) from memory, every other model's rows from the snapshot (attached
-- read-only as art_catalog; explicit columns). Same columns as the table
-- (local/schema_history).
-- params: none
CREATE OR REPLACE TEMP VIEW history AS
SELECT s.project, s.model, s.split, s.step, s.training_step, s.recorded_at, s.seq, s.metric, s.value
FROM art_catalog.main.history s
WHERE NOT EXISTS (SELECT 1 FROM taken_models t
                  WHERE t.rows = 'history' AND t.project = s.project AND t.model = s.model)
UNION ALL
SELECT project, model, split, step, training_step, recorded_at, seq, metric, value
FROM memory.main.history
