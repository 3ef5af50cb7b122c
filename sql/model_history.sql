-- model_history: every history row of one model, in file order.
-- params: $project, $model
SELECT * FROM history WHERE project = $project AND model = $model ORDER BY seq
