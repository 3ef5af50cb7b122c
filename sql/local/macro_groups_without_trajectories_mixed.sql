-- local/macro_groups_without_trajectories_mixed: art_groups_without_trajectories(project, model,
-- split, step) for a store holding v1 files (ART 0.5.9) too: the placeholder rows (reward
-- NULL) of that step's groups that hold only exceptions, read with the schemas unioned by
-- name as view_trajectories_mixed reads them (v1 files have no group_json: NULL).
-- params: none
CREATE OR REPLACE TEMP MACRO art_groups_without_trajectories(p, m, s, n) AS TABLE
SELECT t.group_index, t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.group_logs, t.group_json::JSON AS group_json
FROM (
    SELECT NULL::VARCHAR AS group_json WHERE false
    UNION ALL BY NAME
    SELECT * FROM read_parquet(string_split(getvariable('art_trajectory_paths'), chr(0)), filename = true,
                               union_by_name = true)
) t
WHERE t.reward IS NULL
  AND starts_with(t.filename, getvariable('art_base_path') || '/' || p || '/models/' || m || '/trajectories/'
                              || s || '/')
  AND TRY_CAST(parse_filename(t.filename, true) AS BIGINT) = n
