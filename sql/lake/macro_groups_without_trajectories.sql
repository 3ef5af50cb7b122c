-- lake/macro_groups_without_trajectories: art_groups_without_trajectories(project, model, split,
-- step) on a DuckLake store: the placeholder rows (reward NULL) of that step's groups that
-- hold only exceptions, which the trajectories view leaves out.
-- params: none
CREATE OR REPLACE TEMP MACRO art_groups_without_trajectories(p, m, s, n) AS TABLE
SELECT group_index, group_metadata::JSON AS group_metadata, group_metrics::JSON AS group_metrics,
       group_logs, group_json::JSON AS group_json
FROM lake.main.trajectories
WHERE reward IS NULL AND project = p AND model = m AND split = s AND step = n
