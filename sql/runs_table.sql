-- runs_table: the runs view for the CLI, newest activity first.
-- params: none
SELECT project, model, trainable, base_model, first_step, last_step, log_calls,
       last_recorded_at, trajectory_files, trajectories, exceptions
FROM runs
ORDER BY last_recorded_at DESC NULLS LAST, project, model
