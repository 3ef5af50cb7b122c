-- best_step: the best checkpoint steps of one model by one metric, best first.
-- Per step, the metric is the mean of the rows that carry it. Smoothing: a trailing mean
-- over the last $window evaluated steps; only full windows compete, except that with
-- fewer evaluations than $window the one window over all of them (ending at the last)
-- does. $mode is 'max' or 'min'. Ties go to the latest step. At most $top_k rows.
-- Returns (step BIGINT, smoothed DOUBLE, value DOUBLE): value is the step's own mean.
-- params: $project, $model, $metric, $window, $mode, $top_k
WITH per_step AS (
    SELECT step, avg(value) AS value
    FROM history
    WHERE project = $project AND model = $model AND metric = $metric
    GROUP BY step
),
windows AS (
    SELECT step, value,
           avg(value) OVER w AS smoothed,
           count(*) OVER w AS n,
           count(*) OVER () AS total,
           row_number() OVER (ORDER BY step) AS rn
    FROM per_step
    WINDOW w AS (ORDER BY step ROWS BETWEEN $window - 1 PRECEDING AND CURRENT ROW)
)
SELECT step, smoothed, value
FROM windows
WHERE n = $window OR (total < $window AND rn = total)
ORDER BY CASE WHEN $mode = 'min' THEN round(smoothed, 12) ELSE -round(smoothed, 12) END,
         step DESC
LIMIT $top_k
