-- lake/view_trajectories: the trajectories relation of a DuckLake store, typed as in local mode.
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT project, model, split, step, group_index, trajectory_index, reward,
       metrics::JSON AS metrics, metadata::JSON AS metadata,
       group_metadata::JSON AS group_metadata, group_metrics::JSON AS group_metrics,
       tools::JSON AS tools, logs, group_logs, messages,
       trajectory_json::JSON AS trajectory_json, group_json::JSON AS group_json,
       NULL::VARCHAR AS path
FROM lake.main.trajectories
WHERE reward IS NOT NULL
