-- local/macro_groups_without_trajectories_empty: art_groups_without_trajectories(project, model,
-- split, step) of a store that has no trajectory files yet: no rows.
-- params: none
CREATE OR REPLACE TEMP MACRO art_groups_without_trajectories(p, m, s, n) AS TABLE
SELECT NULL::BIGINT AS group_index, NULL::JSON AS group_metadata, NULL::JSON AS group_metrics,
       NULL::VARCHAR[] AS group_logs, NULL::JSON AS group_json
WHERE false
