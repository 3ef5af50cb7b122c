-- ui/steps: the splits and steps of one run that have trajectories to show, newest first (a
-- step that logged only metrics, such as a training step's loss, is left out).
-- Returns (split, step, error): error is why the step's file could not be read (local stores).
-- params: $project, $model
SELECT split, step, error FROM art_trajectory_steps($project, $model)
ORDER BY split, step DESC
