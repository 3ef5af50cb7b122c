-- step_metrics: the aggregate history metrics of one log() call, ART 0.5.23's formulas.
-- Reads the Arrow table registered as `step_table` (one row per trajectory, one placeholder
-- row for a group without trajectories; the v2 trajectory schema).
-- Returns (metric VARCHAR, value DOUBLE) in history key order: reward, exception_rate,
-- trajectory metrics (first seen), group metrics (first seen), reward_std_dev.
-- Rows without data (no trajectories, no exceptions) are left out.
-- params: $split
WITH groups AS (
    SELECT group_index,
           count(trajectory_index) AS n_traj,
           coalesce(json_array_length(any_value(group_json), '$.exceptions'), 0) AS n_exc,
           any_value(group_metrics) AS group_metrics,
           stddev_pop(reward) AS reward_std,
           sum(reward) AS reward_sum
    FROM step_table
    GROUP BY group_index
),
docs AS (
    -- trajectory metrics (section 2) and the metrics of groups that have trajectories (3)
    SELECT 2 AS section, group_index AS g, trajectory_index AS t, metrics AS doc
    FROM step_table WHERE metrics IS NOT NULL AND trajectory_index IS NOT NULL
    UNION ALL
    SELECT 3, group_index, 0, group_metrics
    FROM groups WHERE group_metrics IS NOT NULL AND n_traj > 0
),
entries AS (
    SELECT section, g, t,
           unnest(map_keys(m)) AS name,
           unnest(map_values(m)) AS v,
           unnest(range(len(map_keys(m)))) AS pos
    FROM (SELECT section, g, t, doc::JSON::MAP(VARCHAR, JSON) AS m FROM docs)
),
totals AS (
    SELECT sum(reward_sum) / nullif(sum(n_traj), 0) AS reward,
           sum(n_exc) / nullif(sum(n_traj) + sum(n_exc), 0) AS exception_rate,
           coalesce(avg(reward_std) FILTER (WHERE n_traj >= 2), 0.0) AS reward_std_dev
    FROM groups
),
rows AS (
    SELECT unnest([0, 1, 4]) AS section, 0 AS g, 0 AS t, 0 AS p,
           unnest([$split || '/reward', $split || '/exception_rate', $split || '/reward_std_dev']) AS metric,
           unnest([reward, exception_rate, reward_std_dev]) AS value
    FROM totals
    UNION ALL
    SELECT section, min(g), arg_min(t, (g, t, pos)), arg_min(pos, (g, t, pos)),
           $split || CASE section WHEN 2 THEN '/' ELSE '/group/' END || name,
           avg(CASE WHEN json_type(v) = 'BOOLEAN' THEN v::BOOLEAN::DOUBLE ELSE v::DOUBLE END)
    FROM entries
    GROUP BY section, name
)
SELECT metric, value
FROM rows
WHERE value IS NOT NULL
ORDER BY section, g, t, p
