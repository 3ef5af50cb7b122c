-- runs_named: the runs of one project whose model.json names the model $model_name while its files
-- sit under another folder (ART's TrainableModel stores a run under its run_name, not its name).
-- params: $project, $model_name
SELECT model FROM models
WHERE project = $project AND model <> $model_name AND try(json_extract_string(model_json, '$.name')) = $model_name
ORDER BY model
