-- local/view_snapshot_models: models of a reader over a catalog snapshot: the rows of the
-- models its catch-up changed (model.json read again, folder gone) from memory, every other
-- model's row from the snapshot in place (attached read-only as art_catalog; explicit
-- columns, the file is data). Same columns as the table (local/schema_models).
-- params: none
CREATE OR REPLACE TEMP VIEW models AS
SELECT s.project, s.model, s.trainable, s.base_model, s.model_json
FROM art_catalog.main.models s
WHERE NOT EXISTS (SELECT 1 FROM taken_models t
                  WHERE t.rows = 'models' AND t.project = s.project AND t.model = s.model)
UNION ALL
SELECT project, model, trainable, base_model, model_json
FROM memory.main.models
