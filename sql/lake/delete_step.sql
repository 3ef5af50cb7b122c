-- lake/delete_step: drop a step's trajectories before it is logged again (ART replaces the file).
-- params: $project, $model, $split, $step
DELETE FROM lake.trajectories
WHERE project = $project AND model = $model AND split = $split AND step = $step
