-- local/set_trajectory_paths_to: the files the trajectories view reads, as given (a
-- NUL-separated text of patterns from local/file_index_paths, or its first one).
-- params: $paths
SET VARIABLE art_trajectory_paths = $paths
