-- lake/drop_history: delete a run's history rows (one split and steps before a step if given).
-- params: $project, $model, $split, $before_step
DELETE FROM lake.history
WHERE project = $project AND model = $model
  AND ($split IS NULL OR split = $split)
  AND ($before_step IS NULL OR step < $before_step)
