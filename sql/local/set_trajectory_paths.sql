-- local/set_trajectory_paths: the absolute paths the trajectories view reads, from file_index.
-- (Built inside DuckDB: a Python list parameter of 1,000 paths cost 0.3 s to convert.)
-- params: none
SET VARIABLE art_trajectory_paths = (SELECT coalesce(list(abs_path ORDER BY abs_path), []) FROM file_index)
