-- local/set_trajectory_paths: the exact files the trajectories view reads (glob characters
-- escaped, so a model named `*` is a name, never a pattern), from file_index.
-- (Built inside DuckDB: a Python list parameter of 1,000 paths cost 0.3 s to convert.)
-- params: none
SET VARIABLE art_trajectory_paths = (SELECT coalesce(list(pattern ORDER BY abs_path), []) FROM file_index)
