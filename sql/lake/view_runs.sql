-- lake/view_runs: the runs view of a DuckLake store (models are known by what they logged;
-- a lake keeps no model.json, so config is NULL).
-- params: none
CREATE OR REPLACE TEMP VIEW runs AS
SELECT project, model, NULL::BOOLEAN AS trainable, NULL::VARCHAR AS base_model,
       h.first_step, h.last_step, coalesce(h.log_calls, 0) AS log_calls, h.last_recorded_at,
       coalesce(t.files, 0) AS trajectory_files, coalesce(t.trajectories, 0) AS trajectories,
       coalesce(t.exceptions, 0) AS exceptions, NULL::JSON AS config
FROM (
    SELECT project, model, min(step) AS first_step, max(step) AS last_step,
           count(DISTINCT seq) AS log_calls, max(recorded_at) AS last_recorded_at
    FROM lake.main.history GROUP BY project, model
) h
FULL JOIN (
    SELECT project, model, count(DISTINCT (split, step)) AS files,
           count(trajectory_index)::BIGINT AS trajectories,
           sum(n_exc)::BIGINT AS exceptions
    FROM (SELECT project, model, split, step, trajectory_index,
                 CASE WHEN trajectory_index IS NULL OR trajectory_index = 0
                      THEN coalesce(json_array_length(group_json, '$.exceptions'), 0) ELSE 0 END AS n_exc
          FROM lake.main.trajectories)
    GROUP BY project, model
) t USING (project, model)
