-- local/view_snapshot_history_all: history of a reader over a catalog snapshot when its
-- catch-up took no model's history rows into memory: the snapshot's rows and the lines
-- appended since (local/view_snapshot_history without its filter, which costs every scan
-- an anti-join).
-- params: none
CREATE OR REPLACE TEMP VIEW history AS
SELECT s.project, s.model, s.split, s.step, s.training_step, s.recorded_at, s.seq, s.metric, s.value
FROM art_catalog.main.history s
UNION ALL
SELECT project, model, split, step, training_step, recorded_at, seq, metric, value
FROM memory.main.history
