-- ui/steps: the splits and steps of one run that have trajectories to show, newest first (a
-- step that logged only metrics, such as a training step's loss, is left out).
-- Returns (split, step).
-- params: $project, $model
SELECT split, step FROM art_trajectory_steps($project, $model)
ORDER BY split, step DESC
