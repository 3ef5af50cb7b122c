-- local/set_trajectory_paths: the exact files the trajectories view reads (glob characters
-- escaped, so a model named `*` is a name, never a pattern), from file_index.
-- (Built inside DuckDB: a Python list parameter of 1,000 paths cost 0.3 s to convert.) One
-- text, the paths separated by NUL (which no path holds), that the views split when bound: a
-- list variable of 10,000 paths cost ~7 ms to set, the text ~2 ms, and binding is no slower.
-- params: none
SET VARIABLE art_trajectory_paths = (SELECT coalesce(string_agg(pattern, chr(0) ORDER BY abs_path), '') FROM file_index)
