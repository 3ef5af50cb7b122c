-- ui/runs: the dashboard's runs table: every run, with the latest value of $metric and its
-- best step by the rule of best_step.sql (per step the mean of the rows; a trailing mean over
-- the last $window evaluated steps; only full windows compete unless there are fewer
-- evaluations than $window; $mode 'max' or 'min'; ties go to the latest step).
-- Returns project, model, trainable, base_model, first_step, last_step, log_calls,
-- last_recorded_at, trajectories, exceptions, latest_step, latest_value, best_step, best_value.
-- params: $metric, $window, $mode
WITH per_step AS (
    SELECT project, model, step, avg(value) AS value
    FROM history WHERE metric = $metric
    GROUP BY project, model, step
),
windows AS (
    SELECT project, model, step, value,
           avg(value) OVER w AS smoothed,
           count(*) OVER w AS n,
           count(*) OVER (PARTITION BY project, model) AS total,
           row_number() OVER (PARTITION BY project, model ORDER BY step) AS rn
    FROM per_step
    WINDOW w AS (PARTITION BY project, model ORDER BY step
                 ROWS BETWEEN $window - 1 PRECEDING AND CURRENT ROW)
),
scored AS (
    SELECT project, model,
           arg_max(step, step) AS latest_step,
           arg_max(value, step) AS latest_value,
           arg_min(step, (CASE WHEN $mode = 'min' THEN round(smoothed, 12) ELSE -round(smoothed, 12) END,
                          -step)) FILTER (WHERE n = $window OR (total < $window AND rn = total)) AS best_step,
           arg_min(smoothed, (CASE WHEN $mode = 'min' THEN round(smoothed, 12) ELSE -round(smoothed, 12) END,
                              -step)) FILTER (WHERE n = $window OR (total < $window AND rn = total)) AS best_value
    FROM windows GROUP BY project, model
)
SELECT r.project, r.model, r.trainable, r.base_model, r.first_step, r.last_step, r.log_calls,
       r.last_recorded_at, r.trajectories, r.exceptions,
       s.latest_step, s.latest_value, s.best_step, s.best_value
FROM runs r LEFT JOIN scored s USING (project, model)
ORDER BY r.project, r.model
