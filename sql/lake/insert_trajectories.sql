-- lake/insert_trajectories: append one step's rows from the Arrow table registered as `step_rows`.
-- params: $project, $model, $split, $step, $recorded_at
INSERT INTO lake.trajectories
SELECT $project, $model, $split, $step, $recorded_at, * FROM step_rows
