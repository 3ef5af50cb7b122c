-- local/view_trajectories: every logged trajectory of every run (placeholder rows of groups
-- without trajectories are left out), for a store whose files are all v2 (one schema, so
-- binding reads one footer). JSON columns are typed JSON; `path` is the file.
-- Reads the exact files listed in the variable art_trajectory_paths; project, model, split and
-- step come from each file's path (PROJECT/models/MODEL/trajectories/SPLIT/NNNN.parquet), so
-- a filter on them prunes files before they are opened and no join stops top-N pushdown.
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT t.parts[1] AS project, t.parts[3] AS model, t.parts[5] AS split,
       CAST(split_part(t.parts[6], '.', 1) AS BIGINT) AS step,
       t.group_index, t.trajectory_index, t.reward,
       t.metrics::JSON AS metrics, t.metadata::JSON AS metadata,
       t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.tools::JSON AS tools, t.logs, t.group_logs, t.messages,
       t.trajectory_json::JSON AS trajectory_json, t.group_json::JSON AS group_json,
       t.filename AS path
FROM (
    SELECT *, string_split(filename[length(getvariable('art_base_path')) + 2:], '/') AS parts
    FROM read_parquet(getvariable('art_trajectory_paths'), filename = true)
) t
WHERE t.reward IS NOT NULL
