-- local/trajectory_paths: the text the trajectories view reads its files from, as set last.
-- params: none
SELECT getvariable('art_trajectory_paths')
