-- set_trajectory_paths: the absolute paths the trajectories view reads.
-- params: $paths
SET VARIABLE art_trajectory_paths = $paths
