-- ui/steps: the splits and steps one run logged, newest first, with the log() calls of each.
-- Returns (split, step, log_calls).
-- params: $project, $model
SELECT split, step, count(DISTINCT seq) AS log_calls
FROM history WHERE project = $project AND model = $model
GROUP BY split, step
ORDER BY split, step DESC
