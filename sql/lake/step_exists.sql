-- lake/step_exists: whether a step of a model's split already has trajectory rows (a re-log).
-- (Checked first so that ordinary logs are pure inserts: a DELETE makes concurrent commits conflict.)
-- params: $project, $model, $split, $step
SELECT EXISTS (
    SELECT 1 FROM lake.trajectories
    WHERE project = $project AND model = $model AND split = $split AND step = $step
)
