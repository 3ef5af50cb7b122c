-- ui/run_names: every run's project and model, for the trajectories page's picker.
-- Returns (project, model), sorted.
-- params: none
SELECT project, model FROM runs ORDER BY project, model
