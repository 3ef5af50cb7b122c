-- local/view_trajectories: every logged trajectory of every run (placeholder rows of groups
-- without trajectories are left out), for a store whose files are all v2 (one schema, so
-- binding reads one footer). JSON columns are typed JSON; `path` is the file.
-- Reads the file list from the variable art_trajectory_paths (absolute paths) and the
-- table file_index (abs_path -> project, model, split, step).
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT f.project, f.model, f.split, f.step,
       t.group_index, t.trajectory_index, t.reward,
       t.metrics::JSON AS metrics, t.metadata::JSON AS metadata,
       t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.tools::JSON AS tools, t.logs, t.group_logs, t.messages,
       t.trajectory_json::JSON AS trajectory_json, t.group_json::JSON AS group_json,
       t.filename AS path
FROM read_parquet(getvariable('art_trajectory_paths'), filename = true) t
JOIN file_index f ON t.filename = f.abs_path
WHERE t.reward IS NOT NULL
