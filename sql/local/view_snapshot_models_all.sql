-- local/view_snapshot_models_all: models of a reader over a catalog snapshot when its catch-up
-- changed no model's row: the snapshot's rows in place (local/view_snapshot_models without its
-- filter; the in-memory table is empty then, but is read all the same).
-- params: none
CREATE OR REPLACE TEMP VIEW models AS
SELECT s.project, s.model, s.trainable, s.base_model, s.model_json
FROM art_catalog.main.models s
UNION ALL
SELECT project, model, trainable, base_model, model_json
FROM memory.main.models
