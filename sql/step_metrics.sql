-- step_metrics: the aggregate history metrics of one log() call, ART 0.5.23's formulas.
-- Reads the Arrow table registered as `step_table` (one row per trajectory, one placeholder
-- row for a group without trajectories; the v2 trajectory schema).
-- Returns (metric VARCHAR, value DOUBLE) in history key order: reward, exception_rate,
-- trajectory metrics (first seen), group metrics (first seen), reward_std_dev.
-- A NULL value means "no data" and is left out by the caller.
-- params: $split
WITH trajs AS (
    SELECT group_index, trajectory_index, reward, metrics
    FROM step_table
    WHERE trajectory_index IS NOT NULL
),
groups AS (
    SELECT group_index,
           count(trajectory_index) AS n_traj,
           coalesce(json_array_length(any_value(group_json), '$.exceptions'), 0) AS n_exc,
           any_value(group_metrics) AS group_metrics,
           stddev_pop(reward) AS reward_std
    FROM step_table
    GROUP BY group_index
),
traj_values AS (
    SELECT group_index, trajectory_index,
           unnest(map_keys(m)) AS name,
           unnest(map_values(m)) AS v,
           unnest(range(len(map_keys(m)))) AS pos
    FROM (SELECT group_index, trajectory_index, metrics::JSON::MAP(VARCHAR, JSON) AS m
          FROM trajs WHERE metrics IS NOT NULL)
),
group_values AS (
    SELECT group_index,
           unnest(map_keys(m)) AS name,
           unnest(map_values(m)) AS v,
           unnest(range(len(map_keys(m)))) AS pos
    FROM (SELECT group_index, group_metrics::JSON::MAP(VARCHAR, JSON) AS m
          FROM groups WHERE group_metrics IS NOT NULL AND n_traj > 0)
),
totals AS (
    SELECT sum(n_traj) AS n_traj, sum(n_exc) AS n_exc FROM groups
),
parts AS (
    SELECT 0 AS section, 0 AS g, 0 AS t, 0 AS p, $split || '/reward' AS metric,
           (SELECT avg(reward) FROM trajs) AS value
    UNION ALL
    SELECT 1, 0, 0, 0, $split || '/exception_rate',
           CASE WHEN n_traj + n_exc > 0 THEN n_exc / (n_traj + n_exc) END
    FROM totals
    UNION ALL
    SELECT 2, min(group_index), arg_min(trajectory_index, (group_index, trajectory_index, pos)),
           arg_min(pos, (group_index, trajectory_index, pos)),
           $split || '/' || name,
           avg(CASE WHEN json_type(v) = 'BOOLEAN' THEN v::BOOLEAN::DOUBLE ELSE v::DOUBLE END)
    FROM traj_values
    GROUP BY name
    UNION ALL
    SELECT 3, min(group_index), 0, arg_min(pos, (group_index, pos)),
           $split || '/group/' || name,
           avg(CASE WHEN json_type(v) = 'BOOLEAN' THEN v::BOOLEAN::DOUBLE ELSE v::DOUBLE END)
    FROM group_values
    GROUP BY name
    UNION ALL
    SELECT 4, 0, 0, 0, $split || '/reward_std_dev',
           coalesce((SELECT avg(reward_std) FROM groups WHERE n_traj >= 2), 0.0)
)
SELECT metric, value
FROM parts
WHERE value IS NOT NULL
ORDER BY section, g, t, p
