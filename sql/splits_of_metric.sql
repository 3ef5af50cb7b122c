-- splits_of_metric: the distinct splits whose rows carry one metric of one model, sorted.
-- params: $project, $model, $metric
SELECT DISTINCT split FROM history
WHERE project = $project AND model = $model AND metric = $metric
ORDER BY split
