-- local/view_runs: one row per project+model: what it is and how far it got.
-- Columns: project, model, trainable, base_model, first_step, last_step, log_calls,
-- last_recorded_at (UTC), trajectory_files, trajectories, exceptions, config (JSON: the
-- model's `config` from model.json; select keys with config->>'learning_rate').
-- params: none
CREATE OR REPLACE TEMP VIEW runs AS
SELECT m.project, m.model, m.trainable, m.base_model,
       h.first_step, h.last_step, coalesce(h.log_calls, 0) AS log_calls, h.last_recorded_at,
       coalesce(f.files, 0) AS trajectory_files,
       coalesce(f.trajectories, 0)::BIGINT AS trajectories,
       coalesce(f.exceptions, 0)::BIGINT AS exceptions,
       CASE WHEN json_valid(m.model_json) THEN json_extract(m.model_json, '$.config') END AS config
FROM models m
LEFT JOIN (
    SELECT project, model, min(step) AS first_step, max(step) AS last_step,
           count(DISTINCT seq) AS log_calls, max(recorded_at) AS last_recorded_at
    FROM history GROUP BY project, model
) h USING (project, model)
LEFT JOIN (
    SELECT project, model, count(*) AS files, sum(trajectories) AS trajectories,
           sum(exceptions) AS exceptions
    FROM trajectory_files GROUP BY project, model
) f USING (project, model)
