-- splits_of_model: the distinct splits logged for one model, sorted.
-- params: $project, $model
SELECT DISTINCT split FROM history WHERE project = $project AND model = $model ORDER BY split
