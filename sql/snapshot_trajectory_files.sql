-- snapshot_trajectory_files: every row of the trajectory_files table, for the in-memory copy that art.connect() serves.
-- params: none
SELECT * FROM trajectory_files
