-- local/delete_model_history: forget one model's history rows (its history.jsonl was replaced or removed).
-- params: $project, $model
DELETE FROM history WHERE project = $project AND model = $model
