-- history_series: one model's per-step metric values (the mean where a step has several
-- rows) and their trailing mean over the last $window evaluated steps.
-- $metric and $split may be NULL (all). Returns (split, metric, step, value, smoothed).
-- params: $project, $model, $metric, $split, $window
SELECT split, metric, step, value,
       avg(value) OVER (PARTITION BY split, metric ORDER BY step
                        ROWS BETWEEN $window - 1 PRECEDING AND CURRENT ROW) AS smoothed
FROM (
    SELECT split, metric, step, avg(value) AS value
    FROM history
    WHERE project = $project AND model = $model
      AND ($metric IS NULL OR metric = $metric)
      AND ($split IS NULL OR split = $split)
    GROUP BY split, metric, step
)
ORDER BY split, metric, step
