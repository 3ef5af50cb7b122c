-- ui/curves: every metric of the runs in $runs ('project/model' strings), thinned for a chart.
-- Per step a metric's value is the mean of the rows that carry it; smoothed is its trailing
-- mean over the last $window evaluated steps; the best step follows best_step.sql ($mode
-- 'max' or 'min'; only full windows compete unless there are fewer evaluations than
-- $window; ties go to the latest step). A series of more than $max_points steps keeps, per
-- bucket of steps, its first point and the points of its smallest and largest raw value,
-- plus the best and the last step; a shorter one keeps every point.
-- Returns project, model, metric, step, value, smoothed, points (the series' steps before
-- thinning), best_step, best_smoothed; ordered by project, model, metric, step.
-- (Each series gets a small integer id first: windows partitioned by one integer sort
-- about twice as fast as by three strings.)
-- params: $runs, $window, $mode, $max_points
WITH per_step AS (
    SELECT project, model, metric, step, avg(value) AS value
    FROM history WHERE list_contains($runs, project || '/' || model)
    GROUP BY project, model, metric, step
),
series AS (
    SELECT project, model, metric, row_number() OVER (ORDER BY project, model, metric) AS id, count(*) AS total
    FROM per_step GROUP BY project, model, metric
),
windows AS (
    SELECT s.id, s.total, p.step, p.value,
           avg(p.value) OVER w AS smoothed,
           row_number() OVER w AS rn
    FROM per_step p JOIN series s USING (project, model, metric)
    WINDOW w AS (PARTITION BY s.id ORDER BY p.step ROWS BETWEEN $window - 1 PRECEDING AND CURRENT ROW)
),
candidates AS (
    SELECT *, (rn >= $window OR (total < $window AND rn = total)) AS competes,
           (rn - 1) * greatest($max_points // 3, 1) // total AS bucket
    FROM windows
),
scored AS (
    SELECT *, CASE WHEN $mode = 'min' THEN round(smoothed, 12) ELSE -round(smoothed, 12) END AS score
    FROM candidates
),
top AS (
    SELECT id, min(score) FILTER (WHERE competes) AS top_score FROM scored GROUP BY id
),
best AS (
    SELECT s.id, max(s.step) AS best_step, arg_max(s.smoothed, s.step) AS best_smoothed
    FROM scored s JOIN top t ON s.id = t.id AND s.competes AND s.score = t.top_score
    GROUP BY s.id
),
marks AS (
    SELECT id, bucket, min(step) AS first_step,
           arg_min(step, value) AS low_step, arg_max(step, value) AS high_step
    FROM candidates WHERE total > $max_points
    GROUP BY id, bucket
),
kept AS (
    SELECT c.id, c.step, c.value, c.smoothed, c.total, b.best_step, b.best_smoothed
    FROM candidates c
    LEFT JOIN best b USING (id)
    LEFT JOIN marks m USING (id, bucket)
    WHERE c.total <= $max_points OR c.rn = c.total OR c.step = b.best_step
       OR c.step IN (m.first_step, m.low_step, m.high_step)
)
SELECT s.project, s.model, s.metric, k.step, k.value, k.smoothed, k.total AS points,
       k.best_step, k.best_smoothed
FROM kept k JOIN series s USING (id)
ORDER BY k.id, k.step
