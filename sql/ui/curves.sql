-- ui/curves: every metric of one run per step (the mean of the rows that carry it), its
-- trailing mean over the last $window evaluated steps, and whether the step is the best by
-- the rule of best_step.sql ($mode 'max' or 'min'; only full windows compete unless there
-- are fewer evaluations than $window; ties go to the latest step).
-- Returns (metric, step, value, smoothed, is_best), ordered by metric and step.
-- params: $project, $model, $window, $mode
WITH per_step AS (
    SELECT metric, step, avg(value) AS value
    FROM history WHERE project = $project AND model = $model
    GROUP BY metric, step
),
windows AS (
    SELECT metric, step, value,
           avg(value) OVER w AS smoothed,
           count(*) OVER w AS n,
           count(*) OVER (PARTITION BY metric) AS total,
           row_number() OVER (PARTITION BY metric ORDER BY step) AS rn
    FROM per_step
    WINDOW w AS (PARTITION BY metric ORDER BY step ROWS BETWEEN $window - 1 PRECEDING AND CURRENT ROW)
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY metric
        ORDER BY (n = $window OR (total < $window AND rn = total)) DESC,
                 CASE WHEN $mode = 'min' THEN round(smoothed, 12) ELSE -round(smoothed, 12) END,
                 step DESC) AS place
    FROM windows
)
SELECT metric, step, value, smoothed,
       place = 1 AND (n = $window OR (total < $window AND rn = total)) AS is_best
FROM ranked
ORDER BY metric, step
