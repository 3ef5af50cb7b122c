-- metrics_of_model: the distinct metric names logged for one model, sorted.
-- params: $project, $model
SELECT DISTINCT metric FROM history WHERE project = $project AND model = $model ORDER BY metric
