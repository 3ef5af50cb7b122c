-- local/set_trajectory_paths_to: the files the trajectories view reads, as given (a
-- NUL-separated text of patterns built by local/set_trajectory_paths, or one pattern).
-- params: $paths
SET VARIABLE art_trajectory_paths = $paths
