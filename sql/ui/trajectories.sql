-- ui/trajectories: every group and trajectory of one run's step, groups in order and each
-- group's trajectories by reward (best first; a NaN reward, kept but never a best, last). A
-- group with no trajectories (only exceptions) has one row with reward and trajectory_index
-- NULL, from its placeholder row (v1 files, from ART 0.5.9, have no trajectory_index at all:
-- NULL on every row). Returns group_index, trajectory_index, reward, metrics, metadata,
-- group_metadata, group_metrics, tools, logs, group_logs, messages, exceptions (the group's,
-- JSON). Both parts read that step's file alone.
-- params: $project, $model, $split, $step
SELECT * FROM (
    SELECT group_index, trajectory_index, reward, metrics, metadata, group_metadata, group_metrics,
           tools, logs, group_logs, messages,
           json_extract(group_json, '$.exceptions') AS exceptions
    FROM trajectories_of($project, $model, $split, at_step := $step)
    UNION ALL BY NAME
    SELECT group_index, group_metadata, group_metrics, group_logs,
           json_extract(group_json, '$.exceptions') AS exceptions
    FROM art_groups_without_trajectories($project, $model, $split, $step)
)
ORDER BY group_index, coalesce(isnan(reward), true), reward DESC NULLS LAST, trajectory_index
