-- local/model_history: every history row of one model, sorted by metric and step.
-- params: $project, $model
SELECT * FROM history WHERE project = $project AND model = $model ORDER BY metric, step, seq
