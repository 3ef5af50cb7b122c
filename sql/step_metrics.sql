-- step_metrics: the aggregate history metrics of one log() call, ART 0.5.23's formulas.
-- Reads `entries` (section, ord, g, name, value), one row per value the formulas average,
-- in the order they were seen: section 0 = each trajectory's reward; 1 = 0.0 per trajectory
-- and 1.0 per exception; 2 = each trajectory metric; 3 = each group metric of a group that
-- has trajectories (bools as 0/1). g is the group's index.
-- Returns (metric, value) in history key order: reward, exception_rate, trajectory metrics
-- (first seen), group metrics (first seen), then reward_std_dev: the mean over groups of two
-- or more trajectories of their rewards' population standard deviation (0 when none).
-- params: $split
WITH e AS MATERIALIZED (
    SELECT * FROM entries
),
stds AS (
    SELECT stddev_pop(value) AS sd FROM e WHERE section = 0 GROUP BY g HAVING count(*) >= 2
),
rows AS (
    SELECT section, min(ord) AS ord, name, avg(value) AS value FROM e GROUP BY section, name
    UNION ALL
    SELECT 4, 0, 'reward_std_dev', coalesce(avg(sd), 0.0) FROM stds
)
SELECT $split || CASE section WHEN 3 THEN '/group/' ELSE '/' END || name AS metric, value
FROM rows
ORDER BY section, ord
