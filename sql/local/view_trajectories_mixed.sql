-- local/view_trajectories_mixed: view_trajectories for a store that holds v1 files (ART 0.5.9) too:
-- schemas are unioned by name, which reads every file's footer when the view is bound.
-- Every logged trajectory of every run (placeholder rows of groups
-- without trajectories are left out). JSON columns are typed JSON; `path` is the file.
-- Reads the exact files listed in the variable art_trajectory_paths (NUL-separated); project, model, split and
-- step come from each file's path (PROJECT/models/MODEL/trajectories/SPLIT/NNNN.parquet), each
-- computed straight from `filename` (no subquery), so DuckDB prunes files on a filter over them
-- before opening any, and top-N reads `messages` of the winning rows only (late materialization).
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[1] AS project,
       string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[3] AS model,
       string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[5] AS split,
       TRY_CAST(parse_filename(t.filename, true) AS BIGINT) AS step,
       t.group_index, t.trajectory_index, t.reward,
       t.metrics::JSON AS metrics, t.metadata::JSON AS metadata,
       t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.tools::JSON AS tools, t.logs, t.group_logs, t.messages,
       t.trajectory_json::JSON AS trajectory_json, t.group_json::JSON AS group_json,
       t.filename AS path
FROM (
    -- v1 files (ART 0.5.9) lack the v2 columns; this empty typed row set supplies them.
    SELECT NULL::BIGINT AS trajectory_index, NULL::VARCHAR AS trajectory_json,
           NULL::VARCHAR AS group_json
    WHERE false
    UNION ALL BY NAME
    SELECT * FROM read_parquet(string_split(getvariable('art_trajectory_paths'), chr(0)), filename = true,
                               union_by_name = true)
) t
WHERE t.reward IS NOT NULL
