-- local/set_first_trajectory_path: the first of the files the trajectories view reads (as
-- local/set_trajectory_paths orders them), alone: the view and the macro are bound over it,
-- then local/set_trajectory_paths sets the whole list (a view is bound again when queried).
-- params: none
SET VARIABLE art_trajectory_paths = (SELECT min(pattern ORDER BY abs_path) FROM file_index)
