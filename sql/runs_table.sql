-- runs_table: the runs view for the CLI, newest activity first.
-- params: none
SELECT project, model, last_step, log_calls, trajectories, exceptions, last_recorded_at,
       trainable, base_model, first_step, trajectory_files, config
FROM runs
ORDER BY last_recorded_at DESC NULLS LAST, project, model
