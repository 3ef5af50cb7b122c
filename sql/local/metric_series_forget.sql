-- local/metric_series_forget: drop one model's rows of one metric (its history.jsonl was
-- replaced, rewritten or removed).
-- params: $project, $model, $metric
DELETE FROM history WHERE project = $project AND model = $model AND metric = $metric
