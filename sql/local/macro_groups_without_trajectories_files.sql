-- local/macro_groups_without_trajectories_files: art_groups_without_trajectories(project, model,
-- split, step), the groups of that step that hold only exceptions (the one placeholder row
-- each, with reward NULL, that the trajectories view leaves out), for a store whose files are
-- all v2; read from the step's files alone, as trajectories_of() reads them. Returns
-- group_index, group_metadata, group_metrics, group_logs, group_json.
-- params: none
CREATE OR REPLACE TEMP MACRO art_groups_without_trajectories(p, m, s, n) AS TABLE
SELECT t.group_index, t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.group_logs, t.group_json::JSON AS group_json
FROM read_parquet(coalesce(nullif(art_trajectory_files_of(p, m, s, n), []),
                           [split_part(getvariable('art_trajectory_paths'), chr(0), 1)])) t
WHERE t.reward IS NULL AND len(art_trajectory_files_of(p, m, s, n)) > 0
